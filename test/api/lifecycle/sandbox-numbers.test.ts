// The sandbox's documented test numbers go through the real lifecycle: retries (the test worker
// runs the default policy with 1 s delays and FAX_MAX_DIALS=3), attempts on record, unknown
// outcomes that are never retried, drops after page 1 of N.
import { describe, expect, it } from 'vitest';
import { api, createKey, faxForm, json, makePdf, sendFax, waitForStatus } from '../../support/api.ts';

async function send(to: string, extra: Record<string, string> = {}, pages = 1) {
  const key = await createKey(['fax:send', 'fax:read']);
  const form = faxForm({ to, file: await makePdf(pages) });
  for (const [k, v] of Object.entries(extra)) form.set(k, v);
  const res = await api('/fax', { method: 'POST', body: form, key: key.token });
  expect(res.status).toBe(202);
  return { key, job: await json(res) };
}

const FINAL = ['success', 'failed', 'unknown', 'canceled'];

describe('sandbox test numbers', () => {
  it('an ordinary number succeeds in one attempt with line details', async () => {
    const { key, job } = await send('+15555550111', {}, 2);
    const done = await waitForStatus(job.id, key.token, FINAL);
    expect(done).toMatchObject({ status: 'success', pages: 2, pages_sent: 2, failure_reason: null, next_attempt_at: null, tries: 1 });
    expect(done.attempts).toEqual([expect.objectContaining({ number: 1, result: 'success', connected: true, pages_sent: 2, bitrate: 14400, t38: true, remote_station_id: 'SANDBOX' })]);
    expect(done.attempts[0].ended_at).not.toBeNull();
  });

  it('+15555550196 is busy once, then the retry succeeds: success with 2 attempts', async () => {
    const { key, job } = await send('+15555550196');
    const done = await waitForStatus(job.id, key.token, FINAL, 20_000);
    expect(done.status).toBe('success');
    expect(done.attempts.map((a: any) => [a.number, a.result, a.failure_reason])).toEqual([
      [1, 'failed', 'busy'],
      [2, 'success', null],
    ]);
    expect(done.failure_reason).toBeNull();
  });

  it('shows next_attempt_at while a retry waits', async () => {
    const { key, job } = await send('+15555550199');
    const deadline = Date.now() + 15_000;
    let seen: any;
    while (Date.now() < deadline) {
      seen = await json(await api(`/fax/${job.id}`, { key: key.token }));
      if (seen.status === 'queued' && seen.attempts.length >= 1) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(seen).toMatchObject({ status: 'queued', failure_reason: 'busy' });
    expect(seen.next_attempt_at).not.toBeNull();
  });

  it('+15555550199 stays busy: retried up to FAX_MAX_DIALS, then failed busy', async () => {
    const { key, job } = await send('+15555550199');
    const done = await waitForStatus(job.id, key.token, FINAL, 25_000);
    expect(done).toMatchObject({ status: 'failed', failure_reason: 'busy', tries: 0, next_attempt_at: null });
    expect(done.attempts).toHaveLength(3);
    expect(done.attempts.every((a: any) => a.result === 'failed' && a.connected === false)).toBe(true);
  });

  it('+15555550198 never answers: retried, then failed no_answer', async () => {
    const { key, job } = await send('+15555550198');
    const done = await waitForStatus(job.id, key.token, FINAL, 25_000);
    expect(done).toMatchObject({ status: 'failed', failure_reason: 'no_answer' });
    expect(done.attempts).toHaveLength(3);
  });

  it('+15555550197 rejects the call: failed rejected, never retried', async () => {
    const { key, job } = await send('+15555550197');
    const done = await waitForStatus(job.id, key.token, FINAL);
    expect(done).toMatchObject({ status: 'failed', failure_reason: 'rejected' });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await json(await api(`/fax/${job.id}`, { key: key.token }))).attempts).toHaveLength(1);
  });

  it('+15555550195 has an unknown outcome: status unknown, never retried automatically', async () => {
    const { key, job } = await send('+15555550195');
    const done = await waitForStatus(job.id, key.token, FINAL);
    expect(done).toMatchObject({ status: 'unknown', failure_reason: 'no_result' });
    await new Promise((r) => setTimeout(r, 1500));
    const later = await json(await api(`/fax/${job.id}`, { key: key.token }));
    expect(later).toMatchObject({ status: 'unknown' });
    expect(later.attempts).toEqual([expect.objectContaining({ result: 'unknown', failure_reason: 'no_result' })]);
  });

  it('+15555550194 drops after page 1 of N on each try: 3 connected tries, then failed call_dropped', async () => {
    const { key, job } = await send('+15555550194', {}, 3);
    const done = await waitForStatus(job.id, key.token, FINAL, 25_000);
    expect(done).toMatchObject({ status: 'failed', failure_reason: 'call_dropped', pages: 3, pages_sent: 1, tries: 3, max_tries: 3 });
    expect(done.attempts).toHaveLength(3);
    expect(done.attempts.every((a: any) => a.connected === true && a.pages_sent === 1)).toBe(true);
  });

  it('a request may lower max_tries: one try only', async () => {
    const { key, job } = await send('+15555550194', { max_tries: '1' }, 2);
    expect(job.max_tries).toBe(1);
    const done = await waitForStatus(job.id, key.token, FINAL);
    expect(done).toMatchObject({ status: 'failed', failure_reason: 'call_dropped', tries: 1 });
    expect(done.attempts).toHaveLength(1);
  });

  it('a job never dials two calls to one number at once', async () => {
    const key = await createKey(['fax:send', 'fax:read']);
    const to = '+15555550188';
    const jobs = await Promise.all([1, 2, 3].map(async () => json(await sendFax(key.token, { to, file: await makePdf(1) }))));
    const done = await Promise.all(jobs.map((j) => waitForStatus(j.id, key.token, FINAL, 20_000)));
    expect(done.every((d) => d.status === 'success')).toBe(true);
    // Each call started after the previous one ended.
    const spans = done.map((d) => [Date.parse(d.attempts[0].started_at), Date.parse(d.attempts[0].ended_at)] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
  });
});

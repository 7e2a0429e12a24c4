// The agent end to end for outbound faxes, in-process against a fake edge and the AMI simulator: offer ->
// accept -> progress -> dial grant -> Originate -> result; a document carried by the offer; busy; MAX_CHANNELS;
// duplicates; revoke; expiry.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { phiInLogs, startStack } from '../agent/harness.ts';
import type { Stack, StackOptions } from '../agent/harness.ts';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function start(opts: StackOptions = {}): Promise<Stack> {
  stack = await startStack(opts);
  return stack;
}

describe('agent outbound jobs', () => {
  it('never asks for the grant for a document that fails to convert: failed / conversion_failed, no call', async () => {
    const { edge, sim } = await start();
    edge.pdf = new TextEncoder().encode('%PDF-1.4\nnot really a pdf\n%%EOF\n');
    const { jobId } = edge.offer();
    const result = await edge.waitFor(() => edge.find('result', (m) => m.jobId === jobId), 10_000, 'result');
    expect(result).toMatchObject({ status: 'failed', reason: 'conversion_failed' });
    // The grant comes after the conversion: a job granted and then lost with its agent would be
    // `unknown` instead of offered again, so nothing that can fail before the call comes after it.
    expect(edge.find('progress', (m) => m.jobId === jobId && m.stage === 'dialing')).toBeUndefined();
    expect(sim.calls).toHaveLength(0);
  });

  it('asks for the grant once the TIFF is made, and does not dial until the grant comes', async () => {
    const { edge, sim, spool } = await start();
    edge.autoDialOk = false;
    const { jobId, offerId } = edge.offer();
    const ask = await edge.waitFor(() => edge.find('progress', (m) => m.jobId === jobId && m.stage === 'dialing'), 10_000, 'grant request');
    expect(ask.pages).toBe(2);
    expect(existsSync(path.join(spool, 'outbound', `${jobId}.tiff`))).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(sim.calls).toHaveLength(0); // converted, not granted: no call
    edge.send({ type: 'dial_ok', jobId, offerId });
    const result = await edge.waitFor(() => edge.find('result', (m) => m.jobId === jobId), 5000, 'result');
    expect(result).toMatchObject({ status: 'success', pages: 2 });
    expect(sim.calls).toHaveLength(1);
  });

  it('offer -> accept -> progress -> Originate with the dialplan variables -> result success', async () => {
    const { edge, sim, agent, logs, spool } = await start();
    const { jobId, offerId } = edge.offer();
    const result = await edge.waitFor(() => edge.find('result', (m) => m.jobId === jobId), 5000, 'result');
    expect(result).toMatchObject({ jobId, offerId, status: 'success', pages: 2, bitrate: 14400, remoteStationId: 'LAB-RX-5551000' });
    expect(result.uniqueid).toMatch(new RegExp(`^${jobId}-`));

    const ours = edge.messages.filter((m) => 'jobId' in m && m.jobId === jobId).map((m) => (m.type === 'progress' ? `progress:${m.stage}` : m.type));
    expect(ours).toEqual(['accept', 'progress:downloading', 'progress:converting', 'progress:dialing', 'progress:transmitting', 'result']);
    expect(edge.find('progress', (m) => m.stage === 'dialing')?.pages).toBe(2);

    expect(sim.calls).toHaveLength(1);
    const req = sim.calls[0]!.request;
    expect(req).toMatchObject({ channel: 'PJSIP/+15555550123@trunk', context: 'faxbot-send', exten: 's', priority: 1, async: true, channelId: result.uniqueid });
    expect(req.variables).toEqual({
      FAXBOT_JOB_ID: jobId, JOBID: jobId, FAXFILE: path.join(spool, 'outbound', `${jobId}.tiff`), FAXHEADER: 'Clinic Main Fax',
    });
    // result_ack (auto) clears the journal; spool files are gone
    await edge.waitFor(() => !existsSync(path.join(spool, 'outbound', `${jobId}.tiff`)) && agent.metrics.jobs.success === 1);
    expect(edge.invalid).toEqual([]);
    expect(phiInLogs(logs)).toEqual([]);
    expect(logs.some((l) => l.includes('***0123'))).toBe(true); // masked number is logged
  });

  it('an offer carrying its document: written, not downloaded; converted and dialled the same', async () => {
    const { edge, sim } = await start();
    const { jobId } = edge.offer({ document: Buffer.from(edge.pdf).toString('base64'), documentUrl: `${edge.url}/documents/gone.pdf?sig=abc` });
    const result = await edge.waitFor(() => edge.find('result', (m) => m.jobId === jobId), 10_000, 'result');
    expect(result).toMatchObject({ status: 'success', pages: 2 });
    expect(edge.documentRequests).toBe(0);
    const ours = edge.messages.filter((m) => 'jobId' in m && m.jobId === jobId).map((m) => (m.type === 'progress' ? `progress:${m.stage}` : m.type));
    expect(ours).toEqual(['accept', 'progress:converting', 'progress:dialing', 'progress:transmitting', 'result']);
    expect(sim.calls).toHaveLength(1);
  });

  it('busy far end -> result failed, reason busy', async () => {
    const { edge } = await start({ scenario: { kind: 'busy' } });
    const { jobId } = edge.offer();
    const result = await edge.waitFor(() => edge.find('result', (m) => m.jobId === jobId), 5000, 'result');
    expect(result).toMatchObject({ status: 'failed', reason: 'busy' });
  });

  it('MAX_CHANNELS=2: three offers at once -> two accepted, one rejected', async () => {
    const { edge, sim } = await start({ env: { MAX_CHANNELS: '2' } });
    const offers = [edge.offer(), edge.offer(), edge.offer()];
    await edge.waitFor(() => edge.messages.filter((m) => m.type === 'accept' || m.type === 'reject').length === 3);
    expect(edge.find('reject')).toMatchObject({ jobId: offers[2]!.jobId, reason: 'no_free_channel' });
    await edge.waitFor(() => edge.messages.filter((m) => m.type === 'result').length === 2, 5000, 'two results');
    expect(sim.calls).toHaveLength(2);
    // channels are free again
    const later = edge.offer();
    await edge.waitFor(() => edge.find('result', (m) => m.jobId === later.jobId), 5000, 'result of a later offer');
  });

  it('duplicate offer for a job already dialling -> no second Originate', async () => {
    const { edge, sim } = await start({ scenario: { kind: 'success', pages: 1, msPerPage: 600_000 } }); // ~0.6 s call
    const offer = edge.offer();
    await edge.waitFor(() => sim.calls[0]?.state === 'up', 5000, 'call up');
    edge.offer(offer); // same job, same offer: the accept is repeated, nothing else
    edge.offer({ jobId: offer.jobId }); // same job, another offer id
    await edge.waitFor(() => edge.find('reject', (m) => m.jobId === offer.jobId));
    expect(edge.find('reject')?.reason).toBe('job_already_in_progress');
    expect(edge.messages.filter((m) => m.type === 'accept' && m.offerId === offer.offerId)).toHaveLength(2);
    await edge.waitFor(() => edge.find('result', (m) => m.jobId === offer.jobId), 5000, 'result');
    expect(sim.calls).toHaveLength(1);
  });

  it('revoke_offer before the dial grant drops the job; no Originate', async () => {
    const { edge, sim, spool } = await start();
    edge.autoDialOk = false;
    const offer = edge.offer();
    await edge.waitFor(() => edge.find('progress', (m) => m.stage === 'dialing'), 5000, 'grant request');
    edge.send({ type: 'revoke_offer', ...offer });
    await edge.waitFor(() => !existsSync(path.join(spool, 'outbound', `${offer.jobId}.tiff`)));
    edge.send({ type: 'dial_ok', ...offer }); // too late: the job is gone
    await new Promise((r) => setTimeout(r, 100));
    expect(sim.calls).toHaveLength(0);
    expect(edge.find('result')).toBeUndefined();
  });

  it('waits for dial_ok before dialling; revoke_offer once dialling is ignored', async () => {
    const { edge, sim } = await start({ scenario: { kind: 'success', pages: 1, msPerPage: 300_000 } });
    edge.autoDialOk = false;
    const offer = edge.offer();
    await edge.waitFor(() => edge.find('progress', (m) => m.stage === 'dialing'), 5000, 'grant request');
    await new Promise((r) => setTimeout(r, 100));
    expect(sim.calls).toHaveLength(0);
    edge.send({ type: 'dial_ok', ...offer });
    await edge.waitFor(() => sim.calls.length === 1, 5000, 'Originate');
    edge.send({ type: 'revoke_offer', ...offer });
    await edge.waitFor(() => edge.find('result', (m) => m.jobId === offer.jobId), 5000, 'result');
    expect(edge.find('result')?.status).toBe('success');
  });

  it('document 404 -> download_failed; 503 then 200 -> retried; broken PDF -> conversion_failed', async () => {
    const { edge, sim } = await start();
    edge.documentStatuses = [404];
    const a = edge.offer();
    expect(await edge.waitFor(() => edge.find('result', (m) => m.jobId === a.jobId))).toMatchObject({ status: 'failed', reason: 'download_failed' });
    expect(edge.documentRequests).toBe(1);

    edge.documentStatuses = [503, 503];
    const b = edge.offer();
    expect(await edge.waitFor(() => edge.find('result', (m) => m.jobId === b.jobId))).toMatchObject({ status: 'success' });
    expect(edge.documentRequests).toBe(4);

    edge.pdf = new TextEncoder().encode('%PDF-1.7 but not really');
    const c = edge.offer();
    expect(await edge.waitFor(() => edge.find('result', (m) => m.jobId === c.jobId))).toMatchObject({ status: 'failed', reason: 'conversion_failed' });
    expect(sim.calls).toHaveLength(1);
  });

  it('expired offers and offers while AMI is down are rejected', async () => {
    const { edge, sim, agent } = await start();
    const late = edge.offer({ acceptBy: Date.now() - 1000 });
    await edge.waitFor(() => edge.find('reject', (m) => m.jobId === late.jobId));
    expect(edge.find('reject', (m) => m.jobId === late.jobId)?.reason).toBe('offer_expired');
    sim.refuseConnections(true);
    sim.dropConnections();
    await edge.waitFor(() => !agent.metrics.amiConnected);
    const offer = edge.offer();
    await edge.waitFor(() => edge.find('reject', (m) => m.jobId === offer.jobId));
    expect(edge.find('reject', (m) => m.jobId === offer.jobId)?.reason).toBe('asterisk_unavailable');
    sim.refuseConnections(false);
    await edge.waitFor(() => agent.metrics.amiConnected, 5000, 'AMI reconnect');
  });
});

// Webhook pieces without a network: our Standard Webhooks signatures verify with the
// `standardwebhooks` package (one and two secrets, tampering refused), secrets are sealed and
// opened, the retry schedule and Retry-After, and the server-side request forgery rules.
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { newWebhookSecret, signDelivery } from '../../worker/webhooks/signing.ts';
import { openSecret, sealSecret } from '../../worker/webhooks/secret-box.ts';
import { MAX_ATTEMPTS, nextAttemptAt, RETRY_DELAYS_MS, retryAfterMs } from '../../worker/webhooks/retry-schedule.ts';
import { isBlockedAddress, webhookUrlProblem } from '../../worker/webhooks/url-safety.ts';

describe('signDelivery', () => {
  it('produces headers standardwebhooks verifies, with one secret and with two', async () => {
    const a = newWebhookSecret();
    const b = newWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const body = JSON.stringify({ type: 'fax.completed', timestamp: new Date().toISOString(), data: { fax_id: 'fax_x' } });
    const one = await signDelivery([a], 'msg_1', body);
    expect(new Webhook(a).verify(body, { ...one })).toMatchObject({ type: 'fax.completed' });
    const two = await signDelivery([b, a], 'msg_1', body);
    expect(two['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(a).verify(body, { ...two })).toBeTruthy();
    expect(new Webhook(b).verify(body, { ...two })).toBeTruthy();
    expect(() => new Webhook(newWebhookSecret()).verify(body, { ...two })).toThrow();
    expect(() => new Webhook(a).verify(body.replace('fax_x', 'fax_y'), { ...one })).toThrow();
  });
});

describe('sealed secrets', () => {
  it('round-trips, differs per sealing, and fails under another master key', async () => {
    const secret = newWebhookSecret();
    const s1 = await sealSecret('master-secret-0123456789abcdef0123', secret);
    const s2 = await sealSecret('master-secret-0123456789abcdef0123', secret);
    expect(s1).not.toBe(s2);
    expect(s1).not.toContain(secret.slice(6, 20));
    expect(await openSecret('master-secret-0123456789abcdef0123', s1)).toBe(secret);
    await expect(openSecret('another-master-secret-0123456789abc', s1)).rejects.toThrow();
  });
});

describe('retry schedule', () => {
  it('is at once, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, then stops', () => {
    expect(RETRY_DELAYS_MS).toEqual([0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    const now = 1_000_000;
    expect(nextAttemptAt(1, now, 1, null)!.getTime() - now).toBe(5_000);
    expect(nextAttemptAt(2, now, 1, null)!.getTime() - now).toBe(300_000);
    expect(nextAttemptAt(7, now, 1, null)!.getTime() - now).toBe(36_000_000);
    expect(nextAttemptAt(MAX_ATTEMPTS, now, 1, null)).toBeNull();
    expect(nextAttemptAt(2, now, 0.001, null)!.getTime() - now).toBe(300);
  });

  it('waits at least what Retry-After asks, at most 10 h', () => {
    expect(nextAttemptAt(1, 0, 1, 60_000)!.getTime()).toBe(60_000);
    expect(nextAttemptAt(1, 0, 1, 999 * 3600_000)!.getTime()).toBe(36_000_000);
    expect(retryAfterMs('120')).toBe(120_000);
    expect(retryAfterMs(new Date(Date.now() + 30_000).toUTCString())).toBeGreaterThan(25_000);
    expect(retryAfterMs('soon')).toBeNull();
  });
});

describe('webhook URL safety', () => {
  const resolveTo = (...ips: string[]) => async () => ips;
  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.9', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00:ec2::254', 'fe80::1', '::ffff:10.0.0.1'])('%s is blocked', (ip) => {
    expect(isBlockedAddress(ip)).toBe(true);
  });
  it.each(['8.8.8.8', '203.0.113.10', '2606:4700::1111'])('%s is allowed', (ip) => {
    expect(isBlockedAddress(ip)).toBe(false);
  });

  it('in production: https only, no credentials, no local names, nothing that resolves inward', async () => {
    expect(await webhookUrlProblem('http://ehr.example.org/hook', true, resolveTo('8.8.8.8'))).toMatch(/https/);
    expect(await webhookUrlProblem('https://u:p@ehr.example.org/hook', true, resolveTo('8.8.8.8'))).toMatch(/credentials/);
    expect(await webhookUrlProblem('https://localhost/hook', true, resolveTo('8.8.8.8'))).toMatch(/local/);
    expect(await webhookUrlProblem('https://169.254.169.254/latest', true)).toMatch(/private/);
    expect(await webhookUrlProblem('https://[::1]/x', true)).toMatch(/private/);
    expect(await webhookUrlProblem('https://rebind.example.org/x', true, resolveTo('8.8.8.8', '10.0.0.5'))).toMatch(/resolves/);
    expect(await webhookUrlProblem('https://ehr.example.org/hook', true, resolveTo('203.0.113.10'))).toBeNull();
    expect(await webhookUrlProblem('https://nx.example.org/hook', true, async () => { throw new Error('nx'); })).toMatch(/resolved/);
  });

  it('outside production allows http and local receivers (tests, development)', async () => {
    expect(await webhookUrlProblem('http://127.0.0.1:9999/hook', false)).toBeNull();
    expect(await webhookUrlProblem('ftp://127.0.0.1/hook', false)).toMatch(/http/);
  });
});

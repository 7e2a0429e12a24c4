// AMI client against the simulated Asterisk: login variants, failures, timeouts, drops, reconnect backoff.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AmiClient } from '../../agent/ami/client.ts';
import type { AmiClientOptions, AmiEvent } from '../../agent/ami/client.ts';
import { AmiActionError, AmiAuthError, AmiConnectionError, AmiTimeoutError } from '../../agent/ami/errors.ts';
import { backoffCeiling, backoffDelay } from '../../agent/ami/backoff.ts';
import { formatAction } from '../../agent/ami/frame.ts';
import { startAmiSimulator } from '../support/ami-simulator/index.ts';
import type { AmiSimulator } from '../support/ami-simulator/index.ts';
import { until } from '../support/until.ts';

let sim: AmiSimulator;
const clients: AmiClient[] = [];

beforeEach(async () => {
  sim = await startAmiSimulator({ timeScale: 0.001, authFailDelayMs: 30 });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await sim.close();
});

function client(opts: Partial<AmiClientOptions> = {}): AmiClient {
  const c = new AmiClient({ port: sim.port, username: 'faxbot', secret: 'faxbotsecret', actionTimeoutMs: 2000, ...opts });
  clients.push(c);
  return c;
}

const once = <T>(c: AmiClient, name: 'connected' | 'disconnected'): Promise<T> =>
  new Promise((resolve) => c.once(name, (...args: unknown[]) => resolve(args[0] as T)));

describe('login', () => {
  it('logs in with a plain secret and answers Ping', async () => {
    const c = client({ authType: 'plain' });
    await c.connect();
    expect(c.connected).toBe(true);
    await expect(c.ping()).resolves.toBeUndefined();
  });

  it('logs in with the MD5 challenge (the default)', async () => {
    const c = client();
    const booted = new Promise<AmiEvent>((resolve) => c.on('event', (e) => e.event === 'FullyBooted' && resolve(e)));
    await c.connect();
    expect((await booted).status).toBe('Fully Booted'); // the event in the login read is not lost
    await c.ping();
  });

  it.each(['plain', 'md5'] as const)('rejects a wrong secret (%s) with AmiAuthError and the socket closes', async (authType) => {
    const c = client({ authType, secret: 'wrong' });
    const err = await c.connect().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AmiAuthError);
    expect((err as Error).message).toMatch(/Authentication failed/);
    expect(c.connected).toBe(false);
    await until(() => sim.connectionCount() === 0, 2000);
  });

  it('rejects when nothing listens', async () => {
    const port = sim.port;
    await sim.close();
    const c = new AmiClient({ port, username: 'faxbot', secret: 'x', connectTimeoutMs: 500 });
    await expect(c.connect()).rejects.toBeInstanceOf(AmiConnectionError);
    sim = await startAmiSimulator(); // for afterEach
  });
});

describe('actions', () => {
  it('times out an unanswered action and keeps the session usable', async () => {
    const c = client();
    await c.connect();
    sim.ignoreActions(['Ping']);
    await expect(c.ping(50)).rejects.toBeInstanceOf(AmiTimeoutError);
    sim.ignoreActions([]);
    await c.ping();
  });

  it('rejects every pending action when the socket drops', async () => {
    const c = client({ reconnect: false });
    await c.connect();
    sim.ignoreActions(['Ping', 'Hangup']);
    const pending = [c.ping(5000), c.ping(5000), c.hangup('x')];
    await new Promise((r) => setTimeout(r, 20)); // the simulator has read them and stays silent
    sim.dropConnections();
    for (const p of pending) await expect(p).rejects.toBeInstanceOf(AmiConnectionError);
    await expect(c.ping()).rejects.toBeInstanceOf(AmiConnectionError); // fails fast while down
  });

  it('surfaces Response: Error as AmiActionError', async () => {
    const c = client();
    await c.connect();
    const err = await c.hangup('job-does-not-exist').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AmiActionError);
    expect((err as AmiActionError).response.message).toBe('No such channel');
  });

  it('originate resolves when queued and the events arrive with lowercased keys', async () => {
    const c = client();
    await c.connect();
    const events: AmiEvent[] = [];
    c.on('event', (e) => events.push(e));
    const { actionId } = await c.originate({
      channel: 'Local/s@farbusy/n', context: 'faxtx', exten: 's', priority: 1, timeoutMs: 10_000,
      variables: { JOBID: 'job-1', FAXFILE: '/tmp/doc.tif' }, channelId: 'job-1-tx', otherChannelId: 'job-1-rx',
      callerId: '"Clinic" <5552000>',
    });
    await until(() => events.some((e) => e.event === 'OriginateResponse'), 2000);
    const resp = events.find((e) => e.event === 'OriginateResponse')!;
    expect(resp).toMatchObject({ actionid: actionId, response: 'Failure', reason: '5', uniqueid: 'job-1-tx' });
    expect(sim.calls[0]?.request.variables).toEqual({ JOBID: 'job-1', FAXFILE: '/tmp/doc.tif' });
  });

  it('refuses values that would break the AMI framing or the Variable header', async () => {
    const c = client();
    await c.connect();
    const base = { channel: 'Local/s@faxrx/n', context: 'faxtx', exten: 's', priority: 1 };
    await expect(c.originate({ ...base, variables: { FAXFILE: 'a,b' } })).rejects.toThrow(/comma/);
    await expect(c.originate({ ...base, callerId: 'x\r\nAction: Command' })).rejects.toThrow(/line break/);
    expect(() => formatAction('Ping', '1', { 'Bad\nKey': 'v' })).toThrow();
    expect(sim.calls).toHaveLength(0);
  });

  it('makes unique ActionIDs that are not timestamps', () => {
    const a = client();
    const b = client();
    const ids = new Set([...Array.from({ length: 500 }, () => a.nextActionId()), ...Array.from({ length: 500 }, () => b.nextActionId())]);
    expect(ids.size).toBe(1000);
    expect([...ids].some((id) => /^\d{13}/.test(id))).toBe(false);
  });
});

describe('reconnect', () => {
  it('reconnects after the connections drop and emits disconnected/connected', async () => {
    const c = client({ backoff: { baseMs: 20, capMs: 100 } });
    await c.connect();
    const down = once<{ reason: string }>(c, 'disconnected');
    const up = once(c, 'connected');
    sim.dropConnections();
    expect((await down).reason).toMatch(/closed/);
    await up;
    await c.ping();
  });

  it('backs off with full jitter within [0, min(cap, base*2^n)] while Asterisk is down', async () => {
    const random = (): number => 0.999999;
    const c = client({ backoff: { baseMs: 4, capMs: 20 }, random, connectTimeoutMs: 200 });
    await c.connect();
    const seen: Array<{ attempt: number; delayMs: number }> = [];
    c.on('reconnecting', (r) => seen.push(r));
    sim.refuseConnections(true);
    sim.dropConnections();
    await until(() => seen.length >= 6, 2000);
    for (const { attempt, delayMs } of seen) {
      expect(delayMs).toBeGreaterThanOrEqual(0);
      expect(delayMs).toBeLessThanOrEqual(Math.min(20, 4 * 2 ** attempt));
    }
    expect(seen.slice(0, 6).map((s) => s.attempt)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(seen.at(-1)!.delayMs).toBe(19); // capped: floor(0.999999 * 20)
    const up = once(c, 'connected');
    sim.refuseConnections(false);
    await up;
    await c.ping();
  });

  it('does not reconnect after close()', async () => {
    const c = client({ backoff: { baseMs: 1, capMs: 5 } });
    await c.connect();
    await c.close();
    await new Promise((r) => setTimeout(r, 30));
    expect(c.connected).toBe(false);
    expect(sim.connectionCount()).toBe(0);
  });
});

describe('backoffDelay', () => {
  it('stays within [0, min(cap, base * 2^n)] and uses the whole range', () => {
    for (let n = 0; n < 40; n++) {
      const ceiling = Math.min(60_000, 500 * 2 ** n);
      expect(backoffCeiling(n)).toBe(ceiling);
      expect(backoffDelay(n, {}, () => 0)).toBe(0);
      expect(backoffDelay(n, {}, () => 0.5)).toBe(Math.floor(ceiling / 2));
      const d = backoffDelay(n);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(ceiling);
    }
    expect(backoffCeiling(10_000)).toBe(60_000);
  });
});

// Outbound fax call correlation: each scripted far-end behaviour of the simulator maps to the right
// FaxCallResult, the hangup handler's result wins, and the per-call deadline hangs the channel up.
import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AmiClient } from '../../agent/ami/client.ts';
import type { AmiEvent } from '../../agent/ami/client.ts';
import { AmiActionError } from '../../agent/ami/errors.ts';
import { AMI_LOST_DETAIL, placeFaxCall, trackFaxCall } from '../../agent/ami/fax-call.ts';
import type { FaxCallAmi } from '../../agent/ami/fax-call.ts';
import { faxResultFromUserEvent } from '../../agent/ami/fax-result.ts';
import { defaultScenario, startAmiSimulator } from '../support/ami-simulator/index.ts';
import type { AmiSimulator, Scenario } from '../support/ami-simulator/index.ts';

let sim: AmiSimulator;
let ami: AmiClient;
let job = 0;

beforeAll(async () => {
  sim = await startAmiSimulator({ timeScale: 0.001 });
  ami = new AmiClient({ port: sim.port, username: 'faxbot', secret: 'faxbotsecret' });
  await ami.connect();
});
afterAll(async () => {
  await ami.close();
  await sim.close();
});
beforeEach(() => {
  job += 1;
});

function send(channel: string, scenario?: Scenario, deadlineMs = 2000, timeoutMs = 10_000) {
  if (scenario) sim.setScenario(scenario);
  const id = `job-${job}`;
  return placeFaxCall(
    ami,
    {
      channel, context: 'faxtx', exten: 's', priority: 1, timeoutMs, callerId: '"Clinic" <5552000>',
      variables: { JOBID: id, FAXFILE: '/var/spool/faxbot/jobs/doc.tif' }, channelId: `${id}-tx`, otherChannelId: `${id}-rx`,
    },
    { deadlineMs, settleMs: 200 },
  );
}

describe('placeFaxCall against the simulator', () => {
  it('success: pages, bitrate and remote station id (SendFAX returned, FaxResult + hangup handler)', async () => {
    const r = await send('PJSIP/+15551234567@trunk', { kind: 'success', pages: 3, bitrate: 9600, remoteStationId: 'REMOTE 4567' });
    expect(r).toEqual({ status: 'success', pages: 3, bitrate: 9600, remoteStationId: 'REMOTE 4567', uniqueid: `job-${job}-tx` });
  });

  it('success reported only by the hangup handler (Status SUCCESS, Error HANGUP) as in fax_ok.txt', async () => {
    sim.setScenario((req) => ({ kind: 'success', pages: 2, hangupHandlerOnly: req.channel.includes('faxrx') }));
    const r = await send('Local/s@faxrx/n');
    expect(r).toEqual({ status: 'success', pages: 2, bitrate: 14400, remoteStationId: 'LAB-RX-5551000', uniqueid: `job-${job}-tx` });
    expect(sim.calls.at(-1)?.outcome).toBe('success');
  });

  it.each([
    ['Local/s@farbusy/n', 'busy'],
    ['Local/s@farcongest/n', 'congestion'],
    ['Local/s@farnoanswer/n', 'no_answer'],
    ['Local/s@nosuchcontext/n', 'failed'],
  ] as const)('%s -> %s (lab dialplan outcome)', async (channel, reason) => {
    sim.setScenario(defaultScenario); // outcome follows the dial string, like the lab dialplan
    const r = await send(channel);
    expect(r).toEqual({ status: 'failed', reason, uniqueid: `job-${job}-tx` });
  });

  it.each([
    [{ kind: 'busy' }, 'busy'],
    [{ kind: 'congestion' }, 'congestion'],
    [{ kind: 'no_answer' }, 'no_answer'],
  ] as const)('single-leg trunk channel %o -> %s', async (scenario, reason) => {
    const r = await send('PJSIP/+15551234567@trunk', scenario);
    expect(r).toMatchObject({ status: 'failed', reason });
  });

  it('far end drops mid-page: call_dropped with FAXERROR text and pages so far', async () => {
    const r = await send('Local/s@faxrx/n', { kind: 'fail_mid_page', pagesSent: 1 });
    expect(r).toEqual({
      status: 'failed', reason: 'call_dropped', faxError: 'The call dropped prematurely', pages: 1, bitrate: 14400,
      remoteStationId: 'LAB-RX-5551000', uniqueid: `job-${job}-tx`,
    });
  });

  it('far end that never speaks: our deadline hangs the channel up and reports timeout', async () => {
    const started = Date.now();
    const r = await send('Local/s@farvoice/n', { kind: 'silent' }, 150);
    expect(r).toEqual({ status: 'failed', reason: 'timeout', uniqueid: `job-${job}-tx` });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    const call = sim.calls.at(-1)!;
    expect(call.hangupRequested).toBe(true);
    await expect.poll(() => call.state).toBe('ended');
  });

  it('a far end that hangs up on its own after answering (far_voice) is a dropped call', async () => {
    const r = await send('Local/s@farvoice/n', { kind: 'silent', hangupAfterMs: 150_000 });
    expect(r).toMatchObject({ status: 'failed', reason: 'call_dropped', faxError: 'The call dropped prematurely', pages: 0 });
  });

  it('rejects (nothing dialled) when Asterisk refuses the Originate', async () => {
    const other = new AmiClient({ port: sim.port, username: 'monitor', secret: 'monitorsecret' }); // no originate perm
    await other.connect();
    const before = sim.calls.length;
    await expect(
      placeFaxCall(other, { channel: 'Local/s@faxrx/n', context: 'faxtx', exten: 's', priority: 1, channelId: 'x-tx' }, { deadlineMs: 1000 }),
    ).rejects.toBeInstanceOf(AmiActionError);
    expect(sim.calls.length).toBe(before);
    await other.close();
  });
});

describe('trackFaxCall event logic', () => {
  class FakeAmi extends EventEmitter<{ event: [AmiEvent]; connected: []; disconnected: [] }> implements FaxCallAmi {
    hangups: string[] = [];
    exists: boolean | undefined = undefined;
    async channelExists(): Promise<boolean | undefined> {
      return this.exists;
    }
    async hangup(channel: string): Promise<void> {
      this.hangups.push(channel);
    }
    send(e: Record<string, string>): void {
      this.emit('event', e as AmiEvent);
    }
  }
  const ue = (name: string, fields: Record<string, string>) => ({ event: 'UserEvent', userevent: name, uniqueid: 'c1', ...fields });

  // Over PJSIP (and through Local/{number}@faxbot-far) busy, congestion and reject all answer
  // OriginateResponse Reason 0; only the Hangup causes tell them apart, before or after it.
  for (const [cause, reason] of [['17', 'busy'], ['34', 'congestion'], ['21', 'rejected'], ['19', 'no_answer'], ['1', 'invalid_number']] as const) {
    it(`Reason 0 with Hangup cause ${cause} -> ${reason}, in either order`, async () => {
      for (const orFirst of [true, false]) {
        const fake = new FakeAmi();
        const t = trackFaxCall(fake, { channelId: 'c1', actionId: 'a1', deadlineMs: 1000, settleMs: 20 });
        const or = { event: 'OriginateResponse', response: 'Failure', reason: '0', uniqueid: '<unknown>', actionid: 'a1' };
        if (orFirst) fake.send(or);
        fake.send({ event: 'HangupRequest', uniqueid: 'c1', linkedid: 'c1', cause, techcause: '486' });
        fake.send({ event: 'Hangup', uniqueid: 'c1', linkedid: 'c1', cause });
        if (!orFirst) fake.send(or);
        expect(await t.result).toMatchObject({ status: 'failed', reason });
      }
    });
  }

  it('Local template: the causes of the far legs (Linkedid = ChannelId) count', async () => {
    const fake = new FakeAmi();
    const t = trackFaxCall(fake, { channelId: 'c1', actionId: 'a1', deadlineMs: 1000, settleMs: 20 });
    fake.send({ event: 'Hangup', uniqueid: '1796161024.9', linkedid: 'c1', cause: '21' });
    fake.send({ event: 'SoftHangupRequest', uniqueid: 'c1-far', linkedid: 'c1', cause: '16' });
    fake.send({ event: 'Hangup', uniqueid: 'c1', linkedid: 'c1', cause: '21' });
    fake.send({ event: 'OriginateResponse', response: 'Failure', reason: '0', uniqueid: '<unknown>', actionid: 'a1' });
    expect(await t.result).toMatchObject({ status: 'failed', reason: 'rejected' });
  });

  it('follows the OriginateResponse Uniqueid when Asterisk ignored the ChannelId', async () => {
    const fake = new FakeAmi();
    const t = trackFaxCall(fake, { channelId: 'c1', actionId: 'a1', deadlineMs: 1000, settleMs: 20 });
    fake.send({ event: 'OriginateResponse', response: 'Success', reason: '4', uniqueid: '1700000000.42', actionid: 'a1' });
    fake.send({ event: 'UserEvent', userevent: 'FaxTxHangup', uniqueid: '1700000000.42', status: 'SUCCESS', error: 'HANGUP', pages: '2', mode: 'T38' });
    expect(await t.result).toMatchObject({ status: 'success', pages: 2, t38: true, uniqueid: 'c1' });
  });

  it('SUCCESS with FAXERROR HANGUP is a delivered fax; T38_NEG_ERROR is a fax error with its detail', async () => {
    const ok = new FakeAmi();
    const t1 = trackFaxCall(ok, { channelId: 'c1', deadlineMs: 1000 });
    ok.send(ue('FaxTxHangup', { status: 'SUCCESS', error: 'HANGUP', statusstring: 'OK', pages: '2', bitrate: '14400' }));
    expect(await t1.result).toMatchObject({ status: 'success', pages: 2, bitrate: 14400 });
    const neg = new FakeAmi();
    const t2 = trackFaxCall(neg, { channelId: 'c1', deadlineMs: 1000 });
    neg.send(ue('FaxTxHangup', { status: 'FAILED', error: 'T38_NEG_ERROR', statusstring: 'error negotiating T.38', pages: '0' }));
    expect(await t2.result).toMatchObject({ status: 'failed', reason: 'fax_error', faxError: 'T38_NEG_ERROR', pages: 0 });
  });

  it('AMI lost mid-call and never settled: unknown outcome (ami_lost_during_call) after lostMs, not the deadline', async () => {
    const fake = new FakeAmi();
    const started = Date.now();
    const t = trackFaxCall(fake, { channelId: 'c1', deadlineMs: 60_000, lostMs: 50 });
    fake.send({ event: 'OriginateResponse', response: 'Success', reason: '4', uniqueid: 'c1' });
    fake.emit('disconnected');
    expect(await t.result).toMatchObject({ status: 'failed', reason: 'ami_lost_during_call', faxError: AMI_LOST_DETAIL });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('AMI back and the channel gone: unknown at once; channel still up: keeps listening for its end', async () => {
    const gone = new FakeAmi();
    gone.exists = false;
    const t1 = trackFaxCall(gone, { channelId: 'c1', deadlineMs: 60_000, lostMs: 30_000 });
    gone.emit('disconnected');
    gone.emit('connected');
    expect(await t1.result).toMatchObject({ reason: 'ami_lost_during_call' });

    const up = new FakeAmi();
    up.exists = true;
    const t2 = trackFaxCall(up, { channelId: 'c1', deadlineMs: 60_000, lostMs: 30 });
    up.emit('disconnected');
    up.emit('connected');
    await new Promise((r) => setTimeout(r, 80)); // past lostMs: the re-check cancelled it
    up.send(ue('FaxTxHangup', { status: 'SUCCESS', pages: '2' }));
    expect(await t2.result).toMatchObject({ status: 'success', pages: 2 });
  });

  it('the hangup handler is authoritative over an earlier FaxResult', async () => {
    const fake = new FakeAmi();
    const t = trackFaxCall(fake, { channelId: 'c1', deadlineMs: 1000 });
    fake.send({ event: 'OriginateResponse', response: 'Success', reason: '4', uniqueid: 'c1' });
    fake.send(ue('FaxResult', { status: 'SUCCESS', pages: '2' }));
    fake.send(ue('FaxTxHangup', { status: 'FAILED', error: 'The call dropped prematurely', pages: '1' }));
    expect(await t.result).toMatchObject({ status: 'failed', reason: 'call_dropped', pages: 1 });
  });

  it('uses FaxResult when the leg hangs up without a hangup-handler event', async () => {
    const fake = new FakeAmi();
    const t = trackFaxCall(fake, { channelId: 'c1', deadlineMs: 1000 });
    fake.send(ue('FaxResult', { status: 'SUCCESS', pages: '2', bitrate: '14400' }));
    fake.send({ event: 'Hangup', uniqueid: 'c1', cause: '16' });
    expect(await t.result).toEqual({ status: 'success', pages: 2, bitrate: 14400, uniqueid: 'c1' });
  });

  it('ignores other calls and matches OriginateResponse with Uniqueid <unknown> by ActionID', async () => {
    const fake = new FakeAmi();
    const t = trackFaxCall(fake, { channelId: 'c1', actionId: 'a1', deadlineMs: 1000, settleMs: 10 });
    fake.send({ event: 'OriginateResponse', response: 'Failure', reason: '5', uniqueid: 'other', actionid: 'a2' });
    fake.send(ue('FaxTxHangup', { uniqueid: 'other', status: 'SUCCESS' }));
    fake.send({ event: 'OriginateResponse', response: 'Failure', reason: '0', uniqueid: '<unknown>', actionid: 'a1' });
    expect(await t.result).toEqual({ status: 'failed', reason: 'failed', uniqueid: 'c1' });
  });

  it('falls back to the hangup cause when OriginateResponse never comes', async () => {
    const fake = new FakeAmi();
    const t = trackFaxCall(fake, { channelId: 'c1', deadlineMs: 1000, settleMs: 10 });
    fake.send({ event: 'Hangup', uniqueid: 'c1', cause: '17' });
    expect(await t.result).toMatchObject({ status: 'failed', reason: 'busy' });
  });

  it('deadline: hangs up the channel id and resolves timeout', async () => {
    const fake = new FakeAmi();
    const t = trackFaxCall(fake, { channelId: 'c1', deadlineMs: 20 });
    expect(await t.result).toEqual({ status: 'failed', reason: 'timeout', uniqueid: 'c1' });
    expect(fake.hangups).toEqual(['c1']);
    expect(fake.listenerCount('event')).toBe(0);
  });

  it('maps FAXSTATUS values', () => {
    expect(faxResultFromUserEvent({ status: 'SUCCESS', error: 'HANGUP', pages: '2' })).toEqual({ status: 'success', pages: 2 });
    expect(faxResultFromUserEvent({ status: 'FAILURE', error: '', statusstring: 'T38_NEG_ERROR' })).toEqual({
      status: 'failed', reason: 'fax_error', faxError: 'T38_NEG_ERROR',
    });
    expect(faxResultFromUserEvent({ status: 'FAILED', error: 'INIT_ERROR' })).toMatchObject({ reason: 'fax_error', faxError: 'INIT_ERROR' });
    expect(faxResultFromUserEvent({ status: '', error: '', pages: '' })).toEqual({ status: 'failed', reason: 'failed' });
  });
});

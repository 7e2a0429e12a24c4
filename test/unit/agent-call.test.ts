// The agent's Originate for one fax (channel template, context, variables, ChannelId) and its outcomes when
// Asterisk refuses the call or AMI is down: nothing dialled, reported as a plain failure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmiClient } from '../../agent/ami/client.ts';
import { dialFax, originateParams, sanitizeHeader, toJobResult } from '../../agent/outbound-call.ts';
import { startAmiSimulator } from '../support/ami-simulator/index.ts';
import type { AmiSimulator } from '../support/ami-simulator/index.ts';

const settings = { channelTemplate: 'PJSIP/{number}@trunk', context: 'faxbot-send', deadlineMs: 5000, settleMs: 20 };
const req = { jobId: 'fax_aaaaaaaaaaaaaaaaaaaaaaaa', to: '+15555550123', headerText: 'Dr. Müller, "Cardio"', faxFile: '/spool/outbound/x.tiff', channelId: 'fax_a-1' };

let sim: AmiSimulator;
beforeAll(async () => {
  sim = await startAmiSimulator({
    timeScale: 0.001,
    users: [
      { username: 'faxbot', secret: 'faxbotsecret', read: ['call', 'user', 'system'], write: ['originate', 'call', 'system'] },
      { username: 'readonly', secret: 'readonlysecret', read: ['call', 'user'], write: ['system'] },
    ],
  });
});
afterAll(async () => sim.close());

describe('originate parameters', () => {
  it('fills the template and sets the dialplan variables', () => {
    expect(originateParams(settings, req)).toEqual({
      channel: 'PJSIP/+15555550123@trunk', context: 'faxbot-send', exten: 's', priority: 1, timeoutMs: 5000, channelId: 'fax_a-1',
      variables: { FAXBOT_JOB_ID: req.jobId, JOBID: req.jobId, FAXFILE: '/spool/outbound/x.tiff', FAXHEADER: 'Dr. Muller Cardio' },
    });
    const local = originateParams({ ...settings, channelTemplate: 'Local/{number}@faxbot-far/n', deadlineMs: 600_000 }, { ...req, headerText: null });
    expect(local).toMatchObject({ channel: 'Local/+15555550123@faxbot-far/n', otherChannelId: 'fax_a-1-far', timeoutMs: 60_000 });
    expect(local.variables).not.toHaveProperty('FAXHEADER');
  });

  it('sanitizes the fax header for FAXOPT(headerinfo)', () => {
    expect(sanitizeHeader('Ünïcödé, "quoted" \\ $var\r\nline')).toBe('Unicode quoted var line');
    expect(sanitizeHeader('x'.repeat(80))).toHaveLength(50);
    expect(sanitizeHeader('診療所')).toBe('???');
  });

  it('bounds result strings to the protocol limits', () => {
    expect(toJobResult({ status: 'failed', reason: 'fax_error', faxError: 'e'.repeat(300), pages: 3 })).toEqual({ status: 'failed', reason: 'fax_error', faxError: 'e'.repeat(200), pages: 3 });
  });
});

describe('dialFax', () => {
  it('success against the simulator', async () => {
    sim.setScenario({ kind: 'success', pages: 1 });
    const ami = new AmiClient({ port: sim.port, username: 'faxbot', secret: 'faxbotsecret' });
    await ami.connect();
    let answered = false;
    let queuedWithCalls = -1;
    const r = await dialFax(ami, settings, { ...req, channelId: 'fax_a-ok' }, () => (answered = true), () => (queuedWithCalls = sim.calls.filter((c) => c.request.channelId === 'fax_a-ok').length));
    await ami.close();
    expect(r).toMatchObject({ status: 'success', pages: 1, uniqueid: 'fax_a-ok' });
    expect(answered).toBe(true);
    expect(queuedWithCalls).toBe(1); // onQueued: Asterisk already had the Originate
  });

  it('Asterisk refuses the Originate (no originate permission) -> failed, nothing dialled', async () => {
    const ami = new AmiClient({ port: sim.port, username: 'readonly', secret: 'readonlysecret' });
    await ami.connect();
    const before = sim.calls.length;
    let queued = false;
    const r = await dialFax(ami, settings, { ...req, channelId: 'fax_a-2' }, undefined, () => (queued = true));
    expect(queued).toBe(false);
    await ami.close();
    expect(r).toEqual({ status: 'failed', reason: 'failed', faxError: 'Asterisk refused the Originate: Permission denied; nothing was dialled' });
    expect(sim.calls.length).toBe(before);
  });

  it('AMI not connected -> failed, nothing dialled', async () => {
    const ami = new AmiClient({ port: sim.port, username: 'faxbot', secret: 'faxbotsecret' });
    expect(await dialFax(ami, settings, req)).toEqual({ status: 'failed', reason: 'failed', faxError: 'AMI not connected; nothing was dialled' });
  });
});

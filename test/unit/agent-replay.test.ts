// The real agent against byte-exact recordings of a real Asterisk 22.10.1 with PJSIP and T.38
// running our shipped dialplan (shared/reference/ami/pjsip/): each recording is replayed at its
// recorded timing (x0.01) and must end with the true status, reason, pages and detail. Fails
// loudly when the recordings are missing.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AMI_RECORDINGS, PJSIP_RECORDINGS } from '../support/ami-recordings.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../agent/config.ts';
import { createLogger } from '../../agent/logger.ts';
import { startAgent, type RunningAgent } from '../../agent/main.ts';
import { agentEnv, FAST, phiInLogs, TOKEN } from '../agent/harness.ts';
import { FakeEdge } from '../agent/fake-edge.ts';
import { startAmiReplay, type AmiReplay } from '../support/ami-replay.ts';
import { buildFaxTiff } from '../support/ami-simulator/tiff.ts';
import { mkdir, writeFile } from 'node:fs/promises';

const DIR = PJSIP_RECORDINGS;
const PJSIP = 'PJSIP/{number}@trunk';
const LOCAL = 'Local/{number}@faxbot-far';

interface Case {
  file: string;
  template: string;
  to: string;
  expected: Record<string, unknown>;
  absent?: string[];
  /** The older lab recordings (shared/reference/ami/*.txt): plain login, the lab dialplan. */
  lab?: boolean;
  skipActions?: string[];
}

const LAB_DIR = AMI_RECORDINGS;
const LAB_OK = { status: 'success', pages: 2, bitrate: 14400, remoteStationId: 'LAB-RX-5551000' };

/** Recording -> the outcome a real Asterisk produced (pjsip/README.md). */
export const REPLAYED_OUTBOUND: Case[] = [
  { file: 'pjsip_fax_ok_t38', template: PJSIP, to: '+15550000001', expected: { status: 'success', pages: 2, bitrate: 14400, remoteStationId: '+15550000001' }, absent: ['reason'] },
  { file: 'pjsip_far_busy', template: PJSIP, to: '+15550000002', expected: { status: 'failed', reason: 'busy' } },
  { file: 'pjsip_far_congestion', template: PJSIP, to: '+15550000003', expected: { status: 'failed', reason: 'congestion' } },
  { file: 'pjsip_far_reject', template: PJSIP, to: '+15550000004', expected: { status: 'failed', reason: 'rejected' } },
  { file: 'local_far_busy', template: LOCAL, to: '+15550000002', expected: { status: 'failed', reason: 'busy' } },
  { file: 'local_far_reject', template: LOCAL, to: '+15550000004', expected: { status: 'failed', reason: 'rejected' } },
  { file: 'pjsip_far_noanswer', template: PJSIP, to: '+15550000005', expected: { status: 'failed', reason: 'no_answer' } },
  { file: 'pjsip_far_voice', template: PJSIP, to: '+15550000006', expected: { status: 'failed', reason: 'fax_error', faxError: 'T38_NEG_ERROR', pages: 0 } },
  { file: 'pjsip_far_no_t38', template: PJSIP, to: '+15550000008', expected: { status: 'failed', reason: 'fax_error', faxError: 'T38_NEG_ERROR', pages: 0 } },
  { file: 'pjsip_far_no_t38_f', template: PJSIP, to: '+15550000008', expected: { status: 'success', pages: 2 } },
  { file: 'pjsip_partial_p0', template: PJSIP, to: '+15550000007', expected: { status: 'failed', reason: 'call_dropped', faxError: 'The call dropped prematurely', pages: 0 } },
  { file: 'pjsip_partial_p1', template: PJSIP, to: '+15550000009', expected: { status: 'failed', reason: 'call_dropped', faxError: 'The call dropped prematurely', pages: 1 } },
  // Asterisk killed mid-call: a plain EOF, nothing else; Asterisk does not come back. The outcome cannot be known.
  { file: 'asterisk_crash_midcall', template: PJSIP, to: '+15550000001', expected: { status: 'failed', reason: 'ami_lost_during_call' } },
  // The first recordings: Local channels over audio with the lab dialplan.
  { file: 'fax_ok', template: LOCAL, to: '+15555550123', expected: LAB_OK, absent: ['reason'], lab: true },
  { file: 'fax_ok_status', template: LOCAL, to: '+15555550123', expected: LAB_OK, absent: ['reason'], lab: true },
  { file: 'fax_ok_rxhold', template: LOCAL, to: '+15555550123', expected: LAB_OK, absent: ['reason'], lab: true },
  { file: 'fax_hangup_tx', template: LOCAL, to: '+15555550123', expected: { status: 'failed', reason: 'call_dropped', faxError: 'The call dropped prematurely' }, lab: true, skipActions: ['hangup'] },
  { file: 'fax_hangup_rx', template: LOCAL, to: '+15555550123', expected: { status: 'failed', reason: 'call_dropped', faxError: 'The call dropped prematurely' }, lab: true, skipActions: ['hangup'] },
  { file: 'far_busy', template: LOCAL, to: '+15555550123', expected: { status: 'failed', reason: 'busy' }, lab: true },
  { file: 'far_congestion', template: LOCAL, to: '+15555550123', expected: { status: 'failed', reason: 'congestion' }, lab: true },
  { file: 'far_noanswer_ringing', template: LOCAL, to: '+15555550123', expected: { status: 'failed', reason: 'no_answer' }, lab: true },
  { file: 'far_nosuchcontext', template: LOCAL, to: '+15555550123', expected: { status: 'failed', reason: 'failed' }, lab: true },
  { file: 'far_voice', template: LOCAL, to: '+15555550123', expected: { status: 'failed', reason: 'call_dropped', pages: 0 }, lab: true },
];

let running: { agent: RunningAgent; edge: FakeEdge; replay: AmiReplay; spool: string } | undefined;
afterEach(async () => {
  if (!running) return;
  await running.agent.shutdown('test end');
  await running.edge.close();
  await running.replay.close();
  await rm(running.spool, { recursive: true, force: true });
  running = undefined;
});

describe('the agent against recordings of a real Asterisk (PJSIP, T.38, shipped dialplan)', () => {
  it('has the recordings', () => {
    // Fail loudly, never skip: the recordings are vendored in test/fixtures/asterisk-ami.
    expect(existsSync(DIR), `missing recordings in ${DIR}`).toBe(true);
    for (const c of REPLAYED_OUTBOUND) expect(existsSync(path.join(c.lab ? LAB_DIR : DIR, `${c.file}.txt`)), c.file).toBe(true);
  });

  it('T.38 policy: after T38_NEG_ERROR the next call to that number goes out in audio (FAXOPTS=F)', async () => {
    const replay = await startAmiReplay({ recordings: [path.join(DIR, 'pjsip_far_no_t38.txt')], timeScale: 0.01 });
    const edge = await FakeEdge.start({ tokens: [TOKEN] });
    const spool = await mkdtemp(path.join(os.tmpdir(), 'faxbot-replay-'));
    const loaded = loadAgentConfig(agentEnv(edge, { port: replay.port } as never, spool, { AMI_CHANNEL_TEMPLATE: PJSIP }));
    if (!loaded.ok) throw new Error(loaded.problems.join('; '));
    const agent = await startAgent(loaded.config, { ...FAST, callSettleMs: 200, logger: createLogger({ level: 'warn', write: () => undefined }) });
    running = { agent, edge, replay, spool };
    await edge.waitFor(() => agent.metrics.amiConnected, 5000, 'AMI login');
    const first = edge.offer({ to: '+15550000008', headerText: 'Lab header' });
    expect(await edge.waitFor(() => edge.find('result', (m) => m.jobId === first.jobId), 20_000)).toMatchObject({ faxError: 'T38_NEG_ERROR' });
    // The recording holds one call; the second Originate is answered by script, and inspected.
    const second = edge.offer({ to: '+15550000008', headerText: 'Lab header' });
    await edge.waitFor(() => edge.find('result', (m) => m.jobId === second.jobId), 20_000);
    const originate = replay.unscriptedPackets.find((p) => /^Action: Originate/im.test(p));
    expect(originate).toMatch(/^Variable: FAXOPTS=F\r$/m);
    // A first call to another number keeps T.38 with audio fallback (no FAXOPTS: the dialplan's "f").
    const other = edge.offer({ to: '+15550000001', headerText: 'Lab header' });
    await edge.waitFor(() => edge.find('result', (m) => m.jobId === other.jobId), 20_000);
    const third = replay.unscriptedPackets.filter((p) => /^Action: Originate/im.test(p))[1];
    expect(third).not.toMatch(/FAXOPTS/);
  }, 40_000);

  for (const c of REPLAYED_OUTBOUND) {
    it(`${c.file}: ${JSON.stringify(c.expected)}`, async () => {
      const replay = await startAmiReplay({ recordings: [path.join(c.lab ? LAB_DIR : DIR, `${c.file}.txt`)], timeScale: 0.01, skipActions: c.skipActions });
      const edge = await FakeEdge.start({ tokens: [TOKEN] });
      const spool = await mkdtemp(path.join(os.tmpdir(), 'faxbot-replay-'));
      const loaded = loadAgentConfig(agentEnv(edge, { port: replay.port } as never, spool, { AMI_CHANNEL_TEMPLATE: c.template, ...(c.lab ? { AMI_AUTH: 'plain' } : {}) }));
      if (!loaded.ok) throw new Error(loaded.problems.join('; '));
      const logs: string[] = [];
      const agent = await startAgent(loaded.config, { ...FAST, callSettleMs: 200, callLostMs: 1500, logger: createLogger({ level: 'debug', write: (l) => logs.push(l) }) });
      running = { agent, edge, replay, spool };
      await edge.waitFor(() => edge.find('hello'), 5000, 'hello');
      await edge.waitFor(() => agent.metrics.amiConnected, 5000, 'AMI login');
      const { jobId } = edge.offer({ to: c.to, headerText: 'Lab header' });
      const result = await edge.waitFor(() => edge.find('result', (m) => m.jobId === jobId), 20_000, `result of ${c.file}`);
      expect(result).toMatchObject(c.expected);
      for (const key of c.absent ?? []) expect(result).not.toHaveProperty(key);
      // Dialled exactly once: one Originate reached the recording.
      expect(replay.connections).toBeGreaterThanOrEqual(1);
      expect(replay.unscripted.filter((a) => a === 'originate')).toEqual([]);
      expect(phiInLogs(logs)).toEqual([]);
    }, 30_000);
  }

  // Inbound: the recorded FaxReceived / FaxRxHangup name /var/spool/faxbot/incoming/rx-<Uniqueid>.tif;
  // the agent maps ASTERISK_SPOOL_DIR=/var/spool/faxbot into its spool, where the test puts a real TIFF.
  async function inbound(file: string, uniqueid: string) {
    const replay = await startAmiReplay({ recordings: [path.join(DIR, `${file}.txt`)], timeScale: 0.01 });
    const edge = await FakeEdge.start({ tokens: [TOKEN] });
    const spool = await mkdtemp(path.join(os.tmpdir(), 'faxbot-replay-'));
    await mkdir(path.join(spool, 'incoming'), { recursive: true });
    await writeFile(path.join(spool, 'incoming', `rx-${uniqueid}.tif`), buildFaxTiff());
    const loaded = loadAgentConfig(agentEnv(edge, { port: replay.port } as never, spool, { ASTERISK_SPOOL_DIR: '/var/spool/faxbot' }));
    if (!loaded.ok) throw new Error(loaded.problems.join('; '));
    const agent = await startAgent(loaded.config, { ...FAST, logger: createLogger({ level: 'warn', write: () => undefined }) });
    running = { agent, edge, replay, spool };
    await edge.waitFor(() => agent.metrics.amiConnected, 5000, 'AMI login');
    return { edge, agent, replay };
  }

  it('inbound_t38: a 2-page fax over T.38 is uploaded once, with from, to (the dialled number) and pages', async () => {
    const { edge } = await inbound('inbound_t38', '1796161000.1');
    const upload = await edge.waitFor(() => edge.uploads[0], 20_000, 'upload');
    expect(upload.fields).toMatchObject({ uniqueid: '1796161000.1', from: '+15557654321', to: '+15551230001', pages: '2', remote_station_id: 'LAB-FAR-SENDER' });
    await new Promise((r) => setTimeout(r, 300));
    expect(edge.uploads).toHaveLength(1); // FaxRxHangup repeats FaxReceived: de-duplicated
  }, 30_000);

  it('inbound_g711_sender with the old ReceiveFAX (no f): FAILED T38_NEG_ERROR, nothing uploaded, noticed as failed', async () => {
    const { edge, agent } = await inbound('inbound_g711_sender', '1796161041.2');
    await edge.waitFor(() => agent.metrics.inbound.failed === 1 || edge.find('inbound_notice', (m) => m.stage === 'failed'), 20_000, 'failed inbound');
    expect(edge.uploads).toEqual([]);
  }, 30_000);
});

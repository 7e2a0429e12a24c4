// Agent restart mid-call against the recordings session_restart_midcall.a/.b of a real Asterisk:
// the first agent originates and is SIGKILLed 8 s (recorded time) into the call; the restarted agent
// logs in on a new AMI session, which sees nothing of the call until it ends (as recorded), asks
// CoreShowChannels (scripted: not recorded) whether the channel is still up, waits, and reports the
// real FaxTxHangup SUCCESS instead of "lost".
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AMI_RECORDINGS, PJSIP_RECORDINGS } from '../support/ami-recordings.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { agentEnv, TOKEN } from '../agent/harness.ts';
import { FakeEdge } from '../agent/fake-edge.ts';
import { startAmiReplay, type AmiReplay } from '../support/ami-replay.ts';

const DIR = PJSIP_RECORDINGS;
const ROOT = path.resolve(import.meta.dirname, '../..');

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
  cleanup = [];
});

function spawnAgent(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['agent/main.ts'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env, LOG_LEVEL: 'warn' }, stdio: 'ignore' });
  cleanup.push(async () => void child.kill('SIGKILL'));
  return child;
}

const journal = (spool: string): Array<{ jobId: string; state: string; channelId?: string }> => {
  try {
    return (JSON.parse(readFileSync(path.join(spool, 'journal.json'), 'utf8')) as { jobs: Array<{ jobId: string; state: string; channelId?: string }> }).jobs;
  } catch {
    return [];
  }
};

describe('agent restart during a call (recorded)', () => {
  it('re-attaches to the call that is still up and reports its real result, dialled once', async () => {
    for (const f of ['session_restart_midcall.a.txt', 'session_restart_midcall.b.txt']) expect(existsSync(path.join(DIR, f)), f).toBe(true);
    const spool = await mkdtemp(path.join(os.tmpdir(), 'faxbot-restart-'));
    cleanup.push(() => rm(spool, { recursive: true, force: true }));
    let channelId = '';
    const replay: AmiReplay = await startAmiReplay({
      recordings: [path.join(DIR, 'session_restart_midcall.a.txt'), path.join(DIR, 'session_restart_midcall.b.txt')],
      timeScale: 0.05,
      channelsUp: () => (channelId ? [channelId] : []),
    });
    cleanup.push(() => replay.close());
    const edge = await FakeEdge.start({ tokens: [TOKEN] });
    cleanup.push(() => edge.close());
    const env = agentEnv(edge, { port: replay.port } as never, spool, { CALL_DEADLINE_SECONDS: '60' });

    const first = spawnAgent(env);
    await edge.waitFor(() => edge.find('hello'), 15_000, 'first hello');
    // Offer once the agent's AMI login went through (it refuses offers while Asterisk is unavailable).
    let jobId = '';
    for (let tries = 0; tries < 50 && !jobId; tries++) {
      const offer = edge.offer({ to: '+15550000001', headerText: 'Lab header' });
      const answer = await edge.waitFor(() => edge.find('accept', (m) => m.jobId === offer.jobId) ?? edge.find('reject', (m) => m.jobId === offer.jobId), 5000, 'accept or reject');
      if (answer.type === 'accept') jobId = offer.jobId;
      else await new Promise((r) => setTimeout(r, 200));
    }
    // The Originate was answered (OriginateResponse Success): the call is up.
    await edge.waitFor(() => edge.find('progress', (m) => m.jobId === jobId && m.stage === 'transmitting'), 15_000, 'call up');
    channelId = journal(spool).find((j) => j.jobId === jobId)?.channelId ?? '';
    expect(channelId).toMatch(new RegExp(`^${jobId}-`));
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    expect(edge.find('result', (m) => m.jobId === jobId)).toBeUndefined();

    const hellos = edge.messages.filter((m) => m.type === 'hello').length;
    spawnAgent(env);
    await edge.waitFor(() => edge.messages.filter((m) => m.type === 'hello').length > hellos, 15_000, 'second hello');
    const result = await edge.waitFor(() => edge.find('result', (m) => m.jobId === jobId), 20_000, 'the real result');
    expect(result).toMatchObject({ status: 'success', pages: 2, bitrate: 14400, uniqueid: channelId });
    // The restarted agent asked Asterisk about the call, and never originated it again.
    expect(replay.unscripted).toContain('coreshowchannels');
    expect(replay.unscripted).not.toContain('originate');
    expect(replay.connections).toBe(2);
  }, 60_000);
});

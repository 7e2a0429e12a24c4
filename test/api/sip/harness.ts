// End-to-end SIP harness: the worker in workerd (FAX_BACKEND=sip), the simulated Asterisk, and real
// agent processes (`node agent/main.ts`) that can be killed, restarted and re-pointed.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, inject } from 'vitest';
import pg from 'pg';
import { startAmiSimulator, type AmiSimulator, type Scenario } from '../../support/ami-simulator/index.ts';
import { json, makePdf } from '../../support/api.ts';
import { startCustomWorker, TEST_SECRETS, type CustomWorker } from '../../support/custom-worker.ts';

export const SITE = 'sip-e2e-test';
export const admin = { authorization: `Bearer ${TEST_SECRETS.API_KEY}` };

export async function startEdge(): Promise<CustomWorker> {
  return startCustomWorker({
    FAX_BACKEND: 'sip',
    AGENT_HEARTBEAT_SECONDS: '1',
    AGENT_RECONNECT_GRACE_SECONDS: '2',
    AGENT_LOST_CALL_SECONDS: '3',
    AGENT_OFFER_TIMEOUT_SECONDS: '5',
  });
}

/** Numbers choose the far end's behaviour. */
export const NUMBERS = { ok: '+15555550301', busy: '+15555550302', silent: '+15555550303', slow: '+15555550304' };

export async function startSimulator(spool: string): Promise<AmiSimulator> {
  return startAmiSimulator({
    timeScale: 0.01,
    spoolDir: spool,
    scenario: (req): Scenario => {
      if (req.channel.includes(NUMBERS.busy.slice(1))) return { kind: 'busy' };
      if (req.channel.includes(NUMBERS.silent.slice(1))) return { kind: 'silent' };
      if (req.channel.includes(NUMBERS.slow.slice(1))) return { kind: 'success', pages: 1, msPerPage: 800_000 };
      return { kind: 'success', pages: 1, bitrate: 14400, remoteStationId: 'FAR END' };
    },
  });
}

export interface AgentProcess {
  child: ChildProcess;
  logs: string[];
  spool: string;
  tokenFile: string;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function createAgent(edge: CustomWorker, name = 'e2e agent') {
  const res = await fetch(`${edge.url}/admin/agents`, {
    method: 'POST',
    headers: { ...admin, 'content-type': 'application/json' },
    body: JSON.stringify({ name, site: SITE, max_channels: 2 }),
  });
  expect(res.status).toBe(201);
  return json<{ id: string; token: string; token_id: string }>(res);
}

/** A `gs` that takes 60 s before converting: keeps a job between accept and dial. */
function slowGhostscriptDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'faxbot-slowgs-'));
  const real = (process.env.PATH ?? '').split(':').map((p) => path.join(p, 'gs')).find((p) => existsSync(p)) ?? '/usr/bin/gs';
  writeFileSync(path.join(dir, 'gs'), `#!/bin/sh\nsleep 60\nexec ${real} "$@"\n`);
  chmodSync(path.join(dir, 'gs'), 0o755);
  return dir;
}

export function spawnAgent(edge: CustomWorker, sim: AmiSimulator, token: string, opts: { spool?: string; slowConversion?: boolean } = {}): AgentProcess {
  const spool = opts.spool ?? mkdtempSync(path.join(os.tmpdir(), 'faxbot-agent-e2e-'));
  const tokenFile = path.join(spool, 'agent.token');
  if (!opts.spool) writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  const env: Record<string, string> = {
    PATH: opts.slowConversion ? `${slowGhostscriptDir()}:${process.env.PATH}` : (process.env.PATH ?? ''),
    EDGE_URL: edge.url,
    AGENT_ALLOW_INSECURE_EDGE: 'true',
    AGENT_TOKEN_FILE: tokenFile,
    AMI_HOST: '127.0.0.1',
    AMI_PORT: String(sim.port),
    AMI_USERNAME: 'faxbot',
    AMI_SECRET: 'faxbotsecret',
    AMI_CHANNEL_TEMPLATE: 'PJSIP/{number}@trunk',
    SPOOL_DIR: path.join(spool, 'spool'),
    HEALTH_PORT: '0',
    CALL_DEADLINE_SECONDS: '30',
    SHUTDOWN_TIMEOUT_SECONDS: '5',
    LOG_LEVEL: 'debug',
  };
  const child = spawn(process.execPath, ['agent/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: string[] = [];
  const collect = (b: Buffer) => logs.push(...b.toString().split('\n').filter(Boolean));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  return {
    child,
    logs,
    spool,
    tokenFile,
    kill: (signal = 'SIGKILL') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      }),
  };
}

export async function sendFax(edge: CustomWorker, to: string): Promise<{ id: string }> {
  const form = new FormData();
  form.set('to', to);
  form.set('site', SITE);
  form.set('file', new Blob([new Uint8Array(await makePdf(1))]), 'a.pdf');
  const res = await fetch(`${edge.url}/fax`, { method: 'POST', headers: admin, body: form });
  expect(res.status).toBe(202);
  return json(res);
}

export async function getJob(edge: CustomWorker, id: string) {
  return json(await fetch(`${edge.url}/fax/${id}`, { headers: admin }));
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function waitForStatus(edge: CustomWorker, id: string, statuses: string[], timeoutMs = 30_000) {
  return waitFor(`job ${id} to reach ${statuses.join('|')}`, async () => {
    const job = await getJob(edge, id);
    return statuses.includes(job.status) ? job : undefined;
  }, timeoutMs);
}

/** Originates the simulator saw for a job (the agent puts the job id into the channel variables). */
export function originatesFor(sim: AmiSimulator, jobId: string): number {
  return sim.calls.filter((c) => JSON.stringify(c).includes(jobId)).length;
}

export async function dbRow(sql: string, params: unknown[]): Promise<Record<string, unknown> | undefined> {
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows[0];
  } finally {
    await client.end();
  }
}

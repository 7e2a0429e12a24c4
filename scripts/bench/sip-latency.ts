// SIP submit -> Originate: POST /fax (SIP backend) until the simulated Asterisk receives the AMI
// Originate from a real agent process (offer over the WebSocket, the agent's durable journal, the
// download, Ghostscript, the dial grant, AMI). Each job is awaited to its end before the next, so
// every sample is one job alone; the first three warm the agent up and are not counted.
//
// `node scripts/bench/sip-latency.ts` (BENCH_SIP_N samples, BENCH_DATABASE_URL for PostgreSQL, BENCH_AGENT_LOGS=1
// shows the agent's log).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAmiSimulator, type SimCallRecord } from '../../test/support/ami-simulator/index.ts';
import { onePagePdf } from './sample-pdf.ts';
import { benchWorkerVars } from './worker-vars.ts';
import { createScratchDatabase } from '../stack/scratch-database.ts';
import { startLocalStack } from '../stack/local-stack.ts';
import { ROOT, stopChild } from '../stack/worker-process.ts';
import { startWorkerdProcess } from '../stack/workerd-process.ts';

const WARM_UP = 3;

/** Milliseconds from the start of each POST /fax to the Originate at Asterisk. */
export async function benchSipLatency(o: { workerUrl: string; adminKey: string; dir: string; n: number }): Promise<number[]> {
  const auth = { authorization: `Bearer ${o.adminKey}` };
  const pdf = await onePagePdf();
  // Each Originate resolves the waiter for its job: no polling loop competing with the agent for the CPU.
  const waiters = new Map<string, (at: number) => void>();
  const jobOf = (call: SimCallRecord): string | undefined => /fax_[a-z0-9]{24}/.exec(JSON.stringify(call.request.variables))?.[0];
  const sim = await startAmiSimulator({
    timeScale: 0.001,
    spoolDir: path.join(o.dir, 'asterisk'),
    onOriginate: (call) => {
      const id = jobOf(call);
      if (id) waiters.get(id)?.(call.receivedAt);
    },
  });
  const agentRes = await fetch(`${o.workerUrl}/admin/agents`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"name":"bench","max_channels":4}' });
  if (agentRes.status !== 201) throw new Error(`POST /admin/agents -> ${agentRes.status}`);
  const agent = (await agentRes.json()) as { token: string };
  writeFileSync(path.join(o.dir, 'agent.token'), agent.token, { mode: 0o600 });
  const child = spawn(process.execPath, ['agent/main.ts'], {
    cwd: ROOT,
    stdio: process.env.BENCH_AGENT_LOGS ? 'inherit' : 'ignore',
    env: {
      PATH: process.env.PATH ?? '', EDGE_URL: o.workerUrl, AGENT_ALLOW_INSECURE_EDGE: 'true', AGENT_TOKEN_FILE: path.join(o.dir, 'agent.token'),
      AMI_PORT: String(sim.port), AMI_USERNAME: 'faxbot', AMI_SECRET: 'faxbotsecret', AMI_CHANNEL_TEMPLATE: 'PJSIP/{number}@trunk',
      SPOOL_DIR: path.join(o.dir, 'agent'), HEALTH_PORT: '0', MAX_CHANNELS: '4', LOG_LEVEL: process.env.BENCH_AGENT_LOGS ? 'info' : 'warn',
    },
  });
  const samples: number[] = [];
  try {
    for (let i = 0; i < o.n + WARM_UP; i++) {
      const form = new FormData();
      form.set('to', '+15555550402');
      form.set('file', new Blob([new Uint8Array(pdf)]), 'a.pdf');
      const started = Date.now();
      const res = await fetch(`${o.workerUrl}/fax`, { method: 'POST', headers: auth, body: form });
      if (res.status !== 202) throw new Error(`POST /fax -> ${res.status}`);
      const { id } = (await res.json()) as { id: string };
      const early = sim.calls.find((c) => jobOf(c) === id); // dialled before the POST's answer was read
      const receivedAt = early
        ? early.receivedAt
        : await new Promise<number | undefined>((resolve) => {
            const timer = setTimeout(() => resolve(undefined), 30_000);
            waiters.set(id, (at) => {
              clearTimeout(timer);
              resolve(at);
            });
          });
      waiters.delete(id);
      if (receivedAt === undefined) throw new Error('no Originate within 30 s: is the agent running (gs installed)?');
      if (i >= WARM_UP) samples.push(receivedAt - started);
      while (((await (await fetch(`${o.workerUrl}/fax/${id}`, { headers: auth })).json()) as { status: string }).status === 'in_progress') {
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  } finally {
    await stopChild(child);
    await sim.close();
  }
  return samples;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'faxbot-sip-bench-'));
  const adminKey = 'bench-admin-key-0123456789abcdef0123456789';
  const scratch = process.env.BENCH_DATABASE_URL ? await createScratchDatabase(process.env.BENCH_DATABASE_URL) : undefined;
  const stack = await startLocalStack({ dataDir: dir, databaseUrl: scratch?.url, ephemeral: true });
  const worker = await startWorkerdProcess({
    dir: path.join(dir, 'workerd'),
    vars: benchWorkerVars(stack.vars, adminKey, { FAX_BACKEND: 'sip', AGENT_HEARTBEAT_SECONDS: '5' }),
  });
  try {
    const s = (await benchSipLatency({ workerUrl: worker.url, adminKey, dir, n: Number(process.env.BENCH_SIP_N ?? 30) })).sort((a, b) => a - b);
    const q = (p: number): number => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
    console.log(`SIP submit -> Originate, n=${s.length}: p50 ${q(50)} ms, p95 ${q(95)} ms, p99 ${q(99)} ms, max ${s[s.length - 1]} ms`);
  } finally {
    await worker.stop();
    await stack.close();
    await scratch?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();

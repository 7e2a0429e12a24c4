// CPU per request of the production bundle in plain workerd: N sequential POST /fax (1-page PDF)
// then GET /fax/:id, with the workerd process's CPU time (/proc/<pid>/stat) read around each
// phase, so CPU per request = ΔCPU / N, plus client-side latency. The figure is the whole process:
// the fetch handler, workerd's HTTP and V8 work (GC included) and the Durable Objects a request
// calls (rate limiter, the scheduler kick), so it bounds from above what Cloudflare bills the
// worker. Background work (sweeps on the scheduler's alarm) is measured while idle and shown
// apart; keep the backend from working during the run (SANDBOX_STEP_MS=60000, as main() does).
//
// `node scripts/bench-workerd.ts` starts a local stack and workerd and prints the figures;
// scripts/bench.ts can call benchWorkerd() with a worker it started. BENCH_WORKERD_N (default 200).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { onePagePdf } from './bench/sample-pdf.ts';
import { benchWorkerVars } from './bench/worker-vars.ts';
import { startLocalStack } from './stack/local-stack.ts';
import { buildProductionBundle } from './stack/workerd-config.ts';
import { processCpuMs, startWorkerdProcess } from './stack/workerd-process.ts';

export interface PhaseResult {
  n: number;
  /** Workerd's CPU over the phase / n (ms), background included. */
  cpuMsPerRequest: number;
  /** The same with the idle background rate over the phase's duration taken off. */
  cpuMsPerRequestLessIdle: number;
  p50: number;
  p95: number;
}

export interface WorkerdBenchResult {
  post: PhaseResult;
  get: PhaseResult;
  /** GET /health: the runtime's and the middleware's floor per request. */
  health: PhaseResult;
  /** Workerd's CPU while no request is made (alarms, timers), ms per second. */
  idleCpuMsPerSecond: number;
  /** os.loadavg() at the end: the 1, 5 and 15 minute load averages. */
  loadAverage: number[];
  cpus: number;
}

export interface WorkerdBenchOptions {
  url: string;
  pid: number;
  apiKey: string;
  n?: number;
  warmup?: number;
  /** Idle interval for the background rate (ms). */
  idleMs?: number;
  to?: string;
}

export async function benchWorkerd(o: WorkerdBenchOptions): Promise<WorkerdBenchResult> {
  const n = o.n ?? 200;
  const auth = { authorization: `Bearer ${o.apiKey}` };
  const pdf = await onePagePdf();
  const post = async () => {
    const form = new FormData();
    form.set('to', o.to ?? '+15555550401');
    form.set('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), 'a.pdf');
    const res = await fetch(`${o.url}/fax`, { method: 'POST', headers: auth, body: form });
    const body = (await res.json()) as { id: string };
    if (res.status !== 202) throw new Error(`POST /fax -> ${res.status}: ${JSON.stringify(body)}`);
    return body.id;
  };
  const get = async (id: string) => {
    const res = await fetch(`${o.url}/fax/${id}`, { headers: auth });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`GET /fax/${id} -> ${res.status}`);
  };
  const health = async () => {
    const res = await fetch(`${o.url}/health`);
    await res.arrayBuffer();
  };
  // Warm-up: isolate start, Durable Objects, database connections; not counted.
  for (let i = 0; i < (o.warmup ?? 10); i++) await get(await post());
  for (let i = 0; i < 10; i++) await health();

  const idleMs = o.idleMs ?? 3000;
  const c0 = processCpuMs(o.pid);
  await new Promise((r) => setTimeout(r, idleMs));
  const idleCpuMsPerSecond = ((processCpuMs(o.pid) - c0) * 1000) / idleMs;

  const phase = async (fn: (i: number) => Promise<void>): Promise<PhaseResult> => {
    const samples: number[] = [];
    const cpu0 = processCpuMs(o.pid);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const s = performance.now();
      await fn(i);
      samples.push(performance.now() - s);
    }
    const elapsed = performance.now() - t0;
    const cpu = processCpuMs(o.pid) - cpu0;
    samples.sort((a, b) => a - b);
    const q = (p: number) => samples[Math.min(n - 1, Math.floor(p * n))]!;
    return {
      n,
      cpuMsPerRequest: cpu / n,
      cpuMsPerRequestLessIdle: Math.max(0, cpu - (idleCpuMsPerSecond * elapsed) / 1000) / n,
      p50: q(0.5),
      p95: q(0.95),
    };
  };
  const ids: string[] = [];
  const postResult = await phase(async () => void ids.push(await post()));
  const getResult = await phase(async (i) => get(ids[i]!));
  const healthResult = await phase(health);
  return { post: postResult, get: getResult, health: healthResult, idleCpuMsPerSecond, loadAverage: os.loadavg(), cpus: os.cpus().length };
}

export interface CompletionResult {
  n: number;
  /** Workerd CPU per job for the requests that created them. */
  postCpuMs: number;
  /** Workerd CPU per job from the last POST until every job is final (the sandbox's attempt and result). */
  completionCpuMs: number;
  seconds: number;
}

/**
 * The sandbox's completion cost: `n` jobs posted to a worker whose sandbox steps every `stepMs`,
 * then the CPU until all of them are final (watched in the database, so the checks cost the worker
 * nothing), per job.
 */
export async function benchSandboxCompletion(o: { url: string; pid: number; apiKey: string; n?: number; stepMs: number; databaseUrl: string }): Promise<CompletionResult> {
  const n = o.n ?? 100;
  const auth = { authorization: `Bearer ${o.apiKey}` };
  const pdf = await onePagePdf();
  const ids: string[] = [];
  // A number per job: calls to one number are never dialled at once, which would queue the jobs.
  let next = 0;
  const post = async () => {
    const form = new FormData();
    form.set('to', `+1555321${String(next++).padStart(4, '0')}`);
    form.set('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), 'a.pdf');
    const res = await fetch(`${o.url}/fax`, { method: 'POST', headers: auth, body: form });
    const body = (await res.json()) as { id: string };
    if (res.status !== 202) throw new Error(`POST /fax -> ${res.status}`);
    ids.push(body.id);
  };
  for (let i = 0; i < 5; i++) await post();
  await new Promise((r) => setTimeout(r, o.stepMs * 2 + 2000));
  ids.length = 0;
  const c0 = processCpuMs(o.pid);
  for (let i = 0; i < n; i++) await post();
  const c1 = processCpuMs(o.pid);
  const t1 = performance.now();
  // Watched in the database, not through GET /fax/:id: the checks must not add workerd CPU.
  const db = new pg.Client({ connectionString: o.databaseUrl });
  await db.connect();
  try {
    const deadline = Date.now() + 120_000;
    await new Promise((r) => setTimeout(r, o.stepMs * 2));
    for (;;) {
      const { rows } = await db.query<{ n: string }>(`select count(*) as n from fax_jobs where id = any($1) and status = 'success'`, [ids]);
      if (Number(rows[0]!.n) === ids.length) break;
      if (Date.now() > deadline) throw new Error(`sandbox jobs not all final within 120 s (${rows[0]!.n} of ${ids.length})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await db.end();
  }
  const c2 = processCpuMs(o.pid);
  const seconds = (performance.now() - t1) / 1000;
  return { n, postCpuMs: (c1 - c0) / n, completionCpuMs: (c2 - c1) / n, seconds };
}

export function formatWorkerdBench(r: WorkerdBenchResult): string {
  const f = (x: number) => x.toFixed(2);
  const row = (name: string, p: PhaseResult) => `| ${name} | ${p.n} | ${f(p.cpuMsPerRequest)} | ${f(p.cpuMsPerRequestLessIdle)} | ${f(p.p50)} | ${f(p.p95)} |`;
  return [
    '| Request (plain workerd, production bundle) | n | CPU ms/request | less idle | p50 ms | p95 ms |',
    '|---|---|---|---|---|---|',
    row('POST /fax (1-page PDF)', r.post),
    row('GET /fax/:id', r.get),
    row('GET /health (floor)', r.health),
    '',
    `Idle background: ${f(r.idleCpuMsPerSecond)} CPU ms/s. Load average ${r.loadAverage.map((x) => x.toFixed(2)).join(', ')} on ${r.cpus} CPUs.`,
  ].join('\n');
}

export function formatCompletion(r: CompletionResult, stepMs: number): string {
  return `Sandbox completion (SANDBOX_STEP_MS=${stepMs}, ${r.n} jobs posted one after another, then run to \`success\`): the POSTs cost ${r.postCpuMs.toFixed(2)} ms of workerd CPU per job, completing them (the scheduler's sweeps, the attempt's start and end, their events and audit rows) ${r.completionCpuMs.toFixed(2)} ms per job (ratio ${(r.completionCpuMs / r.postCpuMs).toFixed(2)}), over ${r.seconds.toFixed(1)} s.`;
}

export interface WorkerdRun {
  /** Medians over the rounds of each phase's figures. */
  result: WorkerdBenchResult;
  rounds: number;
  completion: CompletionResult;
  stepMs: number;
}

const medianOf = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
function medianPhase(ps: PhaseResult[]): PhaseResult {
  return {
    n: ps[0]!.n,
    cpuMsPerRequest: medianOf(ps.map((p) => p.cpuMsPerRequest)),
    cpuMsPerRequestLessIdle: medianOf(ps.map((p) => p.cpuMsPerRequestLessIdle)),
    p50: medianOf(ps.map((p) => p.p50)),
    p95: medianOf(ps.map((p) => p.p95)),
  };
}

/** A local stack (PGlite, or the PostgreSQL server at databaseUrl), the production bundle, `rounds` rounds of the three phases, then the sandbox completion. */
export async function runWorkerdBench(o: { databaseUrl?: string; n?: number; rounds?: number } = {}): Promise<WorkerdRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'faxbot-bench-workerd-'));
  const apiKey = 'bench-admin-key-0123456789abcdef0123456789';
  const rounds = o.rounds ?? 1;
  try {
    const [stack] = await Promise.all([
      startLocalStack({ dataDir: dir, databaseUrl: o.databaseUrl, ephemeral: true, scratch: true }),
      buildProductionBundle(path.join(dir, 'bundle')),
    ]);
    try {
      const worker = await startWorkerdProcess({
        dir: path.join(dir, 'workerd'),
        bundleDir: path.join(dir, 'bundle'),
        inheritOutput: !!process.env.BENCH_WORKER_LOGS,
        vars: benchWorkerVars(stack.vars, apiKey, { FAX_BACKEND: 'sandbox', SANDBOX_STEP_MS: '60000' }),
      });
      const runs: WorkerdBenchResult[] = [];
      try {
        for (let r = 0; r < rounds; r++) runs.push(await benchWorkerd({ url: worker.url, pid: worker.pid, apiKey, n: o.n ?? 200, warmup: r === 0 ? 10 : 0, idleMs: r === 0 ? 3000 : 1000 }));
      } finally {
        await worker.stop();
      }
      const last = runs.at(-1)!;
      const result: WorkerdBenchResult = {
        ...last,
        post: medianPhase(runs.map((x) => x.post)),
        get: medianPhase(runs.map((x) => x.get)),
        health: medianPhase(runs.map((x) => x.health)),
        idleCpuMsPerSecond: medianOf(runs.map((x) => x.idleCpuMsPerSecond)),
      };
      // Longer than posting all jobs takes, so no attempt starts during the POSTs.
      const stepMs = 5000;
      // A stack of its own: the jobs posted above are due one step after their creation, and this
      // worker's sweeps would otherwise complete them inside the figure.
      const own = await startLocalStack({ dataDir: path.join(dir, 'completion'), databaseUrl: o.databaseUrl, ephemeral: true, scratch: true });
      const sandbox = await startWorkerdProcess({
        dir: path.join(dir, 'workerd-sandbox'),
        bundleDir: path.join(dir, 'bundle'),
        inheritOutput: !!process.env.BENCH_WORKER_LOGS,
        vars: benchWorkerVars(own.vars, apiKey, { FAX_BACKEND: 'sandbox', SANDBOX_STEP_MS: String(stepMs) }),
      });
      try {
        const completion = await benchSandboxCompletion({ url: sandbox.url, pid: sandbox.pid, apiKey, stepMs, databaseUrl: own.databaseUrl });
        return { result, rounds, completion, stepMs };
      } finally {
        await sandbox.stop();
        await own.close();
      }
    } finally {
      await stack.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const run = await runWorkerdBench({ databaseUrl: process.env.BENCH_DATABASE_URL, n: Number(process.env.BENCH_WORKERD_N ?? 200), rounds: Number(process.env.BENCH_WORKERD_ROUNDS ?? 1) });
  console.log(formatWorkerdBench(run.result));
  console.log(formatCompletion(run.completion, run.stepMs));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

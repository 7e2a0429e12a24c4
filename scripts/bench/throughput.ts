// Throughput part of `npm run bench`: POST /fax (1 page) and GET /fax/:id with c keep-alive clients,
// against each database stack (PGlite, and PostgreSQL when BENCH_DATABASE_URL is set), next to the
// ceiling (a bare handler in the same runtime running as many statements as the route does).
// Both workers run as production bundles (`wrangler deploy --dry-run`) in plain workerd, as a
// self-hoster runs them and the closest local measure of what Cloudflare runs. Servers are pinned
// to CPU 0 and this load generator to CPU 1 where taskset exists; rounds are interleaved across
// stacks and routes; CPU per request is read from /proc for the server processes.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../stack/worker-process.ts';
import { buildProductionBundle } from '../stack/workerd-config.ts';
import { startWorkerdProcess, type WorkerdProcess } from '../stack/workerd-process.ts';
import { readWranglerProject } from '../stack/wrangler-toml.ts';
import { canPin, cpuMs, pidListeningOn, pin, processTree, unpin } from './cpu.ts';
import { closedLoop, median } from './load.ts';
import { benchWorkerVars } from './worker-vars.ts';

export interface Cell {
  rps: number;
  p50: number;
  p99: number;
  cpuAll: number;
  cpuWorker: number;
  /** The stack's node process: database proxy, S3 server (and PGlite itself on the embedded stack). */
  cpuStack: number;
  /** PostgreSQL's server processes (0 on PGlite). */
  cpuDb: number;
}
export type Row = { stack: string; route: string; concurrency: number; statements: number; cells: Cell[] };

interface Stack {
  name: string;
  child: ChildProcess;
  api: WorkerdProcess;
  ceiling: WorkerdProcess;
  stats(): Promise<{ sessions: number; statements: number }>;
  close(): Promise<void>;
}

const CEILING_CONFIG = path.join(ROOT, 'scripts/bench/ceiling.toml');

async function startStack(name: string, databaseUrl: string | undefined, dir: string, adminKey: string): Promise<Stack> {
  const child = fork(path.join(ROOT, 'scripts/bench/stack-child.ts'), [], {
    env: { ...process.env, BENCH_STACK_DATABASE_URL: databaseUrl ?? '' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = await new Promise<{ vars: Record<string, string> }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { vars: Record<string, string> }));
    child.once('exit', (code) => reject(new Error(`bench stack exited with ${code}`)));
  });
  const api = await startWorkerdProcess({
    dir: path.join(dir, `${name}-api`), bundleDir: path.join(dir, 'bundle-api'),
    vars: benchWorkerVars(ready.vars, adminKey, { FAX_BACKEND: 'sip' }),
  });
  const ceiling = await startWorkerdProcess({
    dir: path.join(dir, `${name}-ceiling`), bundleDir: path.join(dir, 'bundle-ceiling'), project: readWranglerProject(CEILING_CONFIG),
    vars: { DATABASE_URL: ready.vars.DATABASE_URL!, ...(ready.vars.DATABASE_WS_PROXY ? { DATABASE_WS_PROXY: ready.vars.DATABASE_WS_PROXY } : {}) },
  });
  const stats = () =>
    new Promise<{ sessions: number; statements: number }>((resolve) => {
      child.once('message', (m) => resolve((m as { stats: { sessions: number; statements: number } }).stats));
      child.send({ type: 'stats' });
    });
  const close = async () => {
    await api.stop();
    await ceiling.stop();
    child.send({ type: 'close' });
    await new Promise((r) => child.once('exit', r));
  };
  return { name, child, api, ceiling, stats, close };
}

export async function benchThroughput(opts: {
  dir: string; adminKey: string; pdf: Uint8Array; databases: Array<{ name: string; url?: string }>;
  rounds: number; requests: number;
}): Promise<{ rows: Row[]; pinned: boolean }> {
  const auth = { authorization: `Bearer ${opts.adminKey}` };
  const stacks: Stack[] = [];
  // A PostgreSQL server's postmaster (found by its port) and its backends count as servers too.
  const postmasters = opts.databases.flatMap((d) => (d.url ? [pidListeningOn(Number(new URL(d.url).port || 5432))] : [])).filter((p): p is number => p !== undefined);
  try {
    await Promise.all([buildProductionBundle(path.join(opts.dir, 'bundle-api')), buildProductionBundle(path.join(opts.dir, 'bundle-ceiling'), CEILING_CONFIG)]);
    for (const db of opts.databases) stacks.push(await startStack(db.name, db.url, opts.dir, opts.adminKey));
    const serverPids = () => processTree([...stacks.flatMap((s) => [s.child.pid!, s.api.child.pid!, s.ceiling.child.pid!]), ...postmasters]);
    pin(serverPids(), 0);
    pin([process.pid], 1);
    const ids = new Map<string, string[]>();
    const post = (s: Stack) => async () => {
      const form = new FormData();
      form.set('to', '+15555550401');
      form.set('file', new Blob([new Uint8Array(opts.pdf)]), 'a.pdf');
      const res = await fetch(`${s.api.url}/fax`, { method: 'POST', headers: auth, body: form });
      const body = (await res.json()) as { id: string };
      if (res.status !== 202) throw new Error(`POST /fax -> ${res.status}`);
      ids.get(s.name)!.push(body.id);
    };
    const get = (s: Stack) => async (i: number) => {
      const list = ids.get(s.name)!;
      const res = await fetch(`${s.api.url}/fax/${list[i % list.length]}`, { headers: auth });
      if (res.status !== 200) throw new Error(`GET /fax/:id -> ${res.status}`);
      await res.arrayBuffer();
    };
    const bare = (s: Stack, n: number) => async () => {
      const res = await fetch(`${s.ceiling.url}/q/${n}`);
      if (res.status !== 200) throw new Error(`ceiling -> ${res.status}`);
      await res.arrayBuffer();
    };
    // Warm up and count the statements each route runs (the ceiling runs as many).
    const perRequest = new Map<string, { post: number; get: number }>();
    for (const s of stacks) {
      ids.set(s.name, []);
      for (let i = 0; i < 10; i++) await post(s)(), await get(s)(i), await bare(s, 1)();
      const a = await s.stats();
      for (let i = 0; i < 20; i++) await post(s)();
      const b = await s.stats();
      for (let i = 0; i < 20; i++) await get(s)(i);
      const c = await s.stats();
      perRequest.set(s.name, { post: Math.round((b.statements - a.statements) / 20), get: Math.round((c.statements - b.statements) / 20) });
    }
    const rows = new Map<string, Row>();
    const measure = async (s: Stack, route: string, concurrency: number, statements: number, fn: (i: number) => Promise<void>) => {
      const key = `${s.name}|${route}|${concurrency}`;
      if (!rows.has(key)) rows.set(key, { stack: s.name, route, concurrency, statements, cells: [] });
      const pids = serverPids();
      const workerPids = processTree([s.api.child.pid!, s.ceiling.child.pid!]);
      const stackPids = processTree([s.child.pid!]);
      const dbPids = () => (s.name === 'PostgreSQL' ? processTree(postmasters) : []); // backends come and go: listed before and after
      const [all0, w0, st0, db0] = [cpuMs(pids), cpuMs(workerPids, /workerd/), cpuMs(stackPids), cpuMs(dbPids())];
      const r = await closedLoop(concurrency, opts.requests, fn);
      const [all1, w1, st1, db1] = [cpuMs(serverPids()), cpuMs(workerPids, /workerd/), cpuMs(stackPids), cpuMs(dbPids())];
      const per = (a: number, b: number) => (b - a) / opts.requests;
      rows.get(key)!.cells.push({ rps: r.rps, p50: r.p50, p99: r.p99, cpuAll: per(all0, all1), cpuWorker: per(w0, w1), cpuStack: per(st0, st1), cpuDb: per(db0, db1) });
    };
    const plan = (concurrency: number) =>
      stacks.flatMap((s) => {
        const n = perRequest.get(s.name)!;
        return [
          () => measure(s, 'POST /fax (1 page)', concurrency, n.post, post(s)),
          () => measure(s, `ceiling: ${n.post} statements`, concurrency, n.post, bare(s, n.post)),
          () => measure(s, 'GET /fax/:id', concurrency, n.get, get(s)),
          () => measure(s, `ceiling: ${n.get} statements`, concurrency, n.get, bare(s, n.get)),
        ];
      });
    for (let round = 0; round < opts.rounds; round++) for (const step of plan(4)) await step();
    for (const c of [1, 16]) for (const step of plan(c)) await step();
    return { rows: [...rows.values()], pinned: canPin };
  } finally {
    // The later parts of `npm run bench` (and their child processes, which inherit it) run unpinned.
    unpin([process.pid, ...processTree(postmasters)]);
    for (const s of stacks) await s.close().catch(() => {});
  }
}

/** Medians of a row's rounds. */
export function summarise(row: Row): Cell {
  const m = (k: keyof Cell) => median(row.cells.map((c) => c[k]));
  return { rps: m('rps'), p50: m('p50'), p99: m('p99'), cpuAll: m('cpuAll'), cpuWorker: m('cpuWorker'), cpuStack: m('cpuStack'), cpuDb: m('cpuDb') };
}

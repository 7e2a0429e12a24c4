// `npm run bench`: software overhead of the fax path, measured end to end on loopback, written to
// docs/benchmarks.md with the machine and the command. The fax line itself is not measured.
//  1. POST /fax (1-page PDF, sandbox backend): upload, sniffing, S3 put, Postgres insert, 202.
//  2. GET /fax/:id.
//  3. The accept transaction's cost in database round trips (scripts/bench-accept.ts).
//  4. SIP submit -> Originate: POST /fax until the simulated Asterisk receives the Originate from a
//     real agent process (offer over the WebSocket, journal, download, Ghostscript, dial grant, AMI).
// BENCH_DATABASE_URL uses a real PostgreSQL server instead of embedded PGlite; BENCH_WORKER_LOGS=1
// shows the worker's log lines.
import { createScratchDatabase } from './stack/scratch-database.ts';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onePagePdf } from './bench/sample-pdf.ts';
import { benchWorkerVars } from './bench/worker-vars.ts';
import { startLocalStack } from './stack/local-stack.ts';
import { ROOT } from './stack/worker-process.ts';
import { startWorkerdProcess } from './stack/workerd-process.ts';
import { benchSipLatency } from './bench/sip-latency.ts';
import { benchAccept, type AcceptBench } from './bench-accept.ts';
import { benchThroughput, summarise, type Row } from './bench/throughput.ts';
import { benchUploadMemory, formatUploadMemory } from './bench/upload-memory.ts';
import { formatCompletion, runWorkerdBench, type WorkerdRun } from './bench-workerd.ts';

const N = Number(process.env.BENCH_N ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const SIP_N = Number(process.env.BENCH_SIP_N ?? 30);
const ADMIN = 'bench-admin-key-0123456789abcdef0123456789';
const auth = { authorization: `Bearer ${ADMIN}` };

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
  return { n: s.length, p50: q(50), p95: q(95), p99: q(99), max: s[s.length - 1]! };
}
const fmt = (x: number) => x.toFixed(1);

async function main() {
  // PostgreSQL rows run on a database of their own, created for this run and dropped after it.
  const scratch = process.env.BENCH_DATABASE_URL ? await createScratchDatabase(process.env.BENCH_DATABASE_URL) : undefined;
  try {
    await run(scratch?.url);
  } finally {
    await scratch?.drop();
  }
}

async function run(pgUrl: string | undefined) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'faxbot-bench-'));
  const load = os.loadavg().map((x) => x.toFixed(2)).join(' / ');
  const databases = [{ name: 'PGlite' }, ...(pgUrl ? [{ name: 'PostgreSQL', url: pgUrl }] : [])];
  const throughput = process.env.BENCH_SKIP_THROUGHPUT
    ? { rows: [], pinned: false }
    : await benchThroughput({ dir, adminKey: ADMIN, pdf: await onePagePdf(), databases, rounds: ROUNDS, requests: REQUESTS });
  const workerdRuns: Array<{ name: string; run: WorkerdRun }> = [];
  for (const d of databases) workerdRuns.push({ name: d.name, run: await runWorkerdBench({ databaseUrl: d.url, n: 100, rounds: ROUNDS }) });
  const memoryN = 40;
  const memory = await benchUploadMemory({ sizesMb: [1, 5, 10], n: memoryN });
  const workerdSection = workerCpuSection(workerdRuns) + memorySection(formatUploadMemory(memory, memoryN));
  const stack = await startLocalStack({ dataDir: dir, databaseUrl: pgUrl, ephemeral: true, scratch: true });
  const worker = await startWorkerdProcess({
    dir: path.join(dir, 'workerd'),
    inheritOutput: !!process.env.BENCH_WORKER_LOGS,
    vars: benchWorkerVars(stack.vars, ADMIN, { FAX_BACKEND: 'sip', AGENT_HEARTBEAT_SECONDS: '5' }),
  });
  const pdf = await onePagePdf();
  const post = async (to: string) => {
    const form = new FormData();
    form.set('to', to);
    form.set('file', new Blob([new Uint8Array(pdf)]), 'a.pdf');
    const t0 = performance.now();
    const res = await fetch(`${worker.url}/fax`, { method: 'POST', headers: auth, body: form });
    const body = (await res.json()) as { id: string };
    if (res.status !== 202) throw new Error(`POST /fax -> ${res.status}`);
    return { ms: performance.now() - t0, id: body.id, t0 };
  };
  try {
    // Warm-up (isolate start, connection setup), not counted.
    for (let i = 0; i < 10; i++) await post('+15555550400');
    const sends: number[] = [];
    const ids: string[] = [];
    for (let i = 0; i < N; i++) {
      const r = await post('+15555550401');
      sends.push(r.ms);
      ids.push(r.id);
    }
    // Ceiling: a handler that touches nothing (GET /health) through the same runtime and middleware.
    const ceiling: number[] = [];
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      await (await fetch(`${worker.url}/health`)).arrayBuffer();
      ceiling.push(performance.now() - t0);
    }
    const gets: number[] = [];
    for (const id of ids) {
      const t0 = performance.now();
      const res = await fetch(`${worker.url}/fax/${id}`, { headers: auth });
      await res.arrayBuffer();
      gets.push(performance.now() - t0);
    }
    // Cancel the queued sandbox-less SIP jobs so they are not offered to the agent below.
    for (const id of ids) await fetch(`${worker.url}/fax/${id}/cancel`, { method: 'POST', headers: auth });
    const warm = await fetch(`${worker.url}/fax?status=queued&limit=100`, { headers: auth });
    for (const j of ((await warm.json()) as { data: Array<{ id: string }> }).data) await fetch(`${worker.url}/fax/${j.id}/cancel`, { method: 'POST', headers: auth });

    const accept = await benchAccept(stack.databaseUrl, stack.vars.DATABASE_WS_PROXY);

    // SIP: a real agent process against the simulated Asterisk.
    const sip = await benchSipLatency({ workerUrl: worker.url, adminKey: ADMIN, dir, n: SIP_N });
    report({ ceiling: stats(ceiling), send: stats(sends), get: stats(gets), sip: stats(sip) }, accept, throughputSection(throughput.rows, throughput.pinned, load) + workerdSection);
  } finally {
    await worker.stop();
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// The system we replace (Python/FastAPI + uvicorn, one worker, SQLite), from the performance issue (c=4, pinned).
const REPLACED: Record<string, { rps: number; p50?: number; p99?: number; cpu: number }> = {
  'POST /fax (1 page)': { rps: 215, p50: 18, p99: 31, cpu: 3.5 },
  'GET /fax/:id': { rps: 439, cpu: 1.9 },
};

function throughputSection(rows: Row[], pinned: boolean, load: string): string {
  if (rows.length === 0) return '';
  const lines = rows.map((row) => {
    const m = summarise(row);
    const ceiling = row.route.startsWith('ceiling') ? undefined : rows.find((r) => r.stack === row.stack && r.concurrency === row.concurrency && r.route === `ceiling: ${row.statements} statements`);
    const ofCeiling = ceiling ? (m.rps / summarise(ceiling).rps).toFixed(2) : '—';
    const bar = REPLACED[row.route];
    const vsReplaced = bar && row.concurrency === 4 ? (m.rps / bar.rps).toFixed(2) : '—';
    return `| ${row.stack} | ${row.route} | ${row.concurrency} | ${row.cells.length} | ${m.rps.toFixed(0)} | ${fmt(m.p50)} | ${fmt(m.p99)} | ${fmt(m.cpuAll)} | ${fmt(m.cpuWorker)} | ${fmt(m.cpuStack)} | ${row.stack === 'PostgreSQL' ? fmt(m.cpuDb) : '—'} | ${ofCeiling} | ${vsReplaced} |`;
  });
  return `
## Throughput with concurrent clients

\`npm run bench\` (add \`BENCH_DATABASE_URL=postgres://…\` for the PostgreSQL rows; \`BENCH_ROUNDS\`,
\`BENCH_REQUESTS\` size it). Load average at start: ${load}. Servers (database stack, the API's and the
ceiling's workerd processes, PostgreSQL) ${pinned ? 'pinned to CPU 0 and the load generator to CPU 1 with taskset' : 'not pinned (no taskset)'};
${REQUESTS} requests per cell over keep-alive connections; c=4 cells are medians of ${ROUNDS} interleaved rounds
(stacks and routes alternate), c=1 and c=16 one round each. Both workers are production bundles in
plain workerd. The ceiling is a bare Hono handler in the same runtime (scripts/bench/ceiling-worker.ts)
reaching the database the same way (Neon's HTTP query protocol) and running as many statements as the
route causes (counted at the database proxy, the scheduler's sweep after a POST included). CPU is
user+system time from /proc per request: "servers" sums every server process (workerd, the stack's
node process with the proxy and S3, PostgreSQL); "worker" only the API's workerd process (its Durable
Objects included); "stack" the node process holding the database proxy and the S3 server (and the
database itself on PGlite); "PostgreSQL" its server processes. On one pinned core, req/s cannot
exceed 1000 / servers' ms: the stack's share is the local stand-in for Neon and S3, which in
production run elsewhere. The jobs stay queued (SIP backend, no agent connected), so no fax completion work
is counted.

| stack | route | c | rounds | req/s | p50 ms | p99 ms | CPU ms/req, servers | CPU ms/req, worker | CPU ms/req, stack | CPU ms/req, PostgreSQL | of ceiling | of replaced system's req/s |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
${lines.join('\n')}

The system we replace, same method (c=4, pinned; from the performance issue): POST /fax 215 req/s,
p50 18 / p99 31 ms, 3.5 ms CPU per request; GET /fax/:id 439 req/s, 1.9 ms CPU.
`;
}

function workerCpuSection(runs: Array<{ name: string; run: WorkerdRun }>): string {
  const rows = runs.flatMap(({ name, run }) => {
    const r = run.result;
    const row = (route: string, p: typeof r.post, target: string) => `| ${name} | ${route} | ${fmt2(p.cpuMsPerRequest)} | ${target} | ${fmt(p.p50)} |`;
    return [row('POST /fax (1 page)', r.post, '≤ 3'), row('GET /fax/:id', r.get, '≤ 1'), row('GET /health (floor)', r.health, '—')];
  });
  const completions = runs.map(({ name, run }) => `- ${name}: ${formatCompletion(run.completion, run.stepMs)}`);
  return `
## The worker's own CPU per request (production bundle in plain workerd)

\`npm run bench\` (alone: \`node scripts/bench-workerd.ts\`). The bundle \`wrangler deploy --dry-run\`
writes, run by plain workerd as a self-hoster would (the closest local stand-in for what Cloudflare
bills); CPU is the workerd process's user+system time over ${runs[0]?.run.result.post.n ?? 0} sequential requests, median of
${runs[0]?.run.rounds ?? 0} rounds, and includes the Durable Objects a request calls and the scheduler's sweep a POST
causes. Sandbox backend stepping once a minute, so no fax is sent during these rows.

| stack | request | workerd CPU ms/request | issue's target | p50 ms |
|---|---|---|---|---|
${rows.join('\n')}

The system we replace spends 3.5 ms (POST) and 1.9 ms (GET) of CPU per request in all its processes.

${completions.join('\n')}
`;
}

function memorySection(table: string): string {
  return `
## Memory by upload size

\`npm run bench\` (alone: \`node scripts/bench/upload-memory.ts\`): each size in a fresh workerd process
running the production bundle, 40 uploads at c=4 (1-page PDFs padded to size with an attachment), the
process's resident set sampled every 10 ms, growth counted from the process's warmed-up level. It
includes the runtime's own buffers and garbage not yet collected; the target is 2× the file (one
buffered copy and what pdf-lib needs), and a request costs about 2× counted from a fresh process
(docs/configuration.md, "Upload size and memory", for the MAX_FILE_SIZE_MB arithmetic).

${table}

Before this issue's change to reading uploads (File.arrayBuffer(), same method, same machine): peak
191 MiB at 1 MB and 649 MiB at 9.9 MB. The system we replace stays flat at 78 MiB.
`;
}

const fmt2 = (x: number) => x.toFixed(2);
const KEPT_MARKER = '<!-- Everything below this line is kept by npm run bench: comparisons from earlier runs. -->';

function report(r: Record<'ceiling' | 'send' | 'get' | 'sip', ReturnType<typeof stats>>, accept: AcceptBench, sections = '') {
  const extra = (accept.lifecycleMs - accept.previousMs) / accept.roundTripMs;
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const db = process.env.BENCH_DATABASE_URL ? 'PostgreSQL server (BENCH_DATABASE_URL, a database created for the run and dropped after it)' : 'embedded PGlite';
  const row = (name: string, s: ReturnType<typeof stats>) => `| ${name} | ${s.n} | ${fmt(s.p50)} | ${fmt(s.p95)} | ${fmt(s.p99)} | ${fmt(s.max)} |`;
  const text = `# Benchmarks

Software overhead of the fax path, measured end to end over loopback HTTP/WebSocket/TCP. A fax
line needs 30-60 s per page; everything here must stay in milliseconds.

- Command: \`npm run bench\` (scripts/bench.ts${process.env.BENCH_DATABASE_URL ? ', with BENCH_DATABASE_URL' : ''})
- Date: ${new Date().toISOString()}
- Machine: ${os.cpus().length} x ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node ${process.version}
- Stack: the production bundle (\`wrangler deploy --dry-run\`) in plain workerd, ${db} behind the local
  database proxy (Neon's HTTP query protocol and WebSocket sessions), local SigV4 S3 server,
  real agent process (\`node agent/main.ts\`) with Ghostscript, simulated Asterisk (AMI over TCP)

| Measurement (ms) | n | p50 | p95 | p99 | max |
|---|---|---|---|---|---|
${row('ceiling: GET /health (same runtime and middleware, touches nothing)', r.ceiling)}
${row('POST /fax, 1-page PDF -> 202 (durable in Postgres + S3)', r.send)}
${row('GET /fax/:id', r.get)}
${row('SIP submit -> Originate at Asterisk (POST /fax start to AMI Originate)', r.sip)}

The system we replace (Python/FastAPI + uvicorn, one worker, SQLite, faxing disabled; figures from
the performance issue, measured with c=4 keep-alive clients, so compare with care: the rows above
are sequential single requests): POST /fax p50 18 ms / p99 31 ms at 215 req/s; GET /fax/:id 439 req/s
(about 2.3 ms per request). Closing that gap is the performance issue's work.

### The accept transaction, in database round trips

Same run, same database and driver (Node, Neon serverless driver over the WebSocket proxy), ${accept.rounds}
interleaved rounds of ${accept.perRound} sequential calls each; medians of the per-call means:

| Variant | ms per call | in bare round trips |
|---|---|---|
| bare round trip (\`select 1\`) | ${fmt(accept.roundTripMs)} | 1 |
| previous accept: INSERT job, then INSERT audit (not atomic) | ${fmt(accept.previousMs)} | ${(accept.previousMs / accept.roundTripMs).toFixed(2)} |
| lifecycle accept: job + outbox event + audit in one statement (atomic) | ${fmt(accept.lifecycleMs)} | ${(accept.lifecycleMs / accept.roundTripMs).toFixed(2)} |

The atomic accept costs ${extra >= 0 ? `${extra.toFixed(2)} round trips more` : `${(-extra).toFixed(2)} round trips less`} than the
non-atomic one it replaced (ratio ${(accept.lifecycleMs / accept.previousMs).toFixed(2)}): the transaction is one statement
(data-modifying CTEs), so atomicity costs no extra round trip.

The SIP figure (alone: \`node scripts/bench/sip-latency.ts\`) includes the offer over the agent's
WebSocket (carrying the one-page document: no download), the agent's durable journal writes, PDF -> TIFF-F
with the agent's pre-started Ghostscript (the largest part), the dial grant round trip and the AMI
Originate. Local dev numbers: production Postgres (Neon) and S3 add network latency.
${sections}`;
  // Earlier runs' comparisons (before/after tables of past issues) live below the marker and are kept.
  const file = path.join(ROOT, 'docs/benchmarks.md');
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const at = previous.indexOf(KEPT_MARKER);
  writeFileSync(file, at >= 0 ? `${text}\n${previous.slice(at)}` : text);
  console.log(text);
}

await main();

// Where the worker's CPU goes: runs the production bundle in plain workerd with its V8 inspector,
// takes a CPU profile (Chrome DevTools Protocol, Profiler domain) over N POST /fax and N GET
// /fax/:id, and prints self time by function and by bundle module, heaviest first. The profile
// covers the JavaScript of every isolate the inspector exposes (the worker and its Durable
// Objects); time in workerd's own C++ (sockets, crypto, HTTP) shows up under the JS call that made it
// or as "(program)".
//
// `node scripts/profile-workerd.ts` (BENCH_DATABASE_URL for a PostgreSQL server, PROFILE_N requests
// per phase, default 300; PROFILE_OUT=file.cpuprofile keeps the raw profile for DevTools).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { onePagePdf } from './bench/sample-pdf.ts';
import { benchWorkerVars } from './bench/worker-vars.ts';
import { startLocalStack } from './stack/local-stack.ts';
import { buildProductionBundle } from './stack/workerd-config.ts';
import { startWorkerdProcess } from './stack/workerd-process.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

class Inspector {
  #ws: WebSocket;
  #next = 1;
  #pending = new Map<number, (v: unknown) => void>();
  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: unknown };
      if (msg.id && this.#pending.has(msg.id)) {
        this.#pending.get(msg.id)!(msg.error ? Promise.reject(new Error(JSON.stringify(msg.error))) : msg.result);
        this.#pending.delete(msg.id);
      }
    });
  }
  static async open(url: string): Promise<Inspector> {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return new Inspector(ws);
  }
  send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.#next++;
    this.#ws.send(JSON.stringify({ id, method, params }));
    return new Promise((resolve) => this.#pending.set(id, resolve as (v: unknown) => void));
  }
  close() {
    this.#ws.close();
  }
}

function summarize(profiles: Profile[], top = 40): string {
  const byFn = new Map<string, number>();
  const byModule = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  const keyOf = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
  for (const p of profiles) {
    const nodes = new Map(p.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    p.samples.forEach((id, i) => {
      const dt = (p.timeDeltas[i] ?? 0) / 1000;
      const n = nodes.get(id)!;
      const { functionName, url } = n.callFrame;
      if (functionName === '(idle)') return;
      total += dt;
      const key = keyOf(n);
      byFn.set(key, (byFn.get(key) ?? 0) + dt);
      const seen = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const k = keyOf(nodes.get(at)!);
        if (seen.has(k)) continue;
        seen.add(k);
        inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
      }
      const mod = url ? url.replace(/^.*node_modules\//, '').split('/').slice(0, url.includes('node_modules/@') ? 2 : 1).join('/') : functionName;
      byModule.set(mod, (byModule.get(mod) ?? 0) + dt);
    });
  }
  const fmt = (m: Map<string, number>, n = top) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `${v.toFixed(1).padStart(9)} ms ${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  return `total sampled (not idle): ${total.toFixed(1)} ms\n\n-- by module --\n${fmt(byModule)}\n\n-- by function (self) --\n${fmt(byFn)}\n\n-- by function (inclusive) --\n${fmt(inclusive, 70)}`;
}

async function main() {
  const n = Number(process.env.PROFILE_N ?? 300);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'faxbot-profile-'));
  const apiKey = 'bench-admin-key-0123456789abcdef0123456789';
  const port = 9300 + Math.floor(Math.random() * 500);
  const [stack] = await Promise.all([
    startLocalStack({ dataDir: dir, databaseUrl: process.env.BENCH_DATABASE_URL, ephemeral: true, scratch: true }),
    buildProductionBundle(path.join(dir, 'bundle')),
  ]);
  const worker = await startWorkerdProcess({
    dir: path.join(dir, 'workerd'),
    bundleDir: path.join(dir, 'bundle'),
    extraArgs: [`--inspector-addr=127.0.0.1:${port}`],
    inheritOutput: !!process.env.BENCH_WORKER_LOGS,
    vars: benchWorkerVars(stack.vars, apiKey, { FAX_BACKEND: 'sandbox', SANDBOX_STEP_MS: '60000' }),
  });
  try {
    const auth = { authorization: `Bearer ${apiKey}` };
    const pdf = await onePagePdf();
    const post = async () => {
      const form = new FormData();
      form.set('to', '+15555550401');
      form.set('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), 'a.pdf');
      const res = await fetch(`${worker.url}/fax`, { method: 'POST', headers: auth, body: form });
      const body = (await res.json()) as { id: string };
      if (res.status !== 202) throw new Error(`POST /fax -> ${res.status}`);
      return body.id;
    };
    const get = async (id: string) => {
      const res = await fetch(`${worker.url}/fax/${id}`, { headers: auth });
      await res.arrayBuffer();
    };
    for (let i = 0; i < 20; i++) await get(await post());
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as { webSocketDebuggerUrl: string; title?: string }[];
    const inspectors = await Promise.all(targets.map((t) => Inspector.open(t.webSocketDebuggerUrl)));
    const run = async (label: string, fn: () => Promise<void>) => {
      for (const i of inspectors) {
        await i.send('Profiler.enable');
        await i.send('Profiler.setSamplingInterval', { interval: Number(process.env.PROFILE_INTERVAL_US ?? 250) });
        await i.send('Profiler.start');
      }
      const t0 = performance.now();
      const cpu0 = worker.cpuMs();
      await fn();
      const cpu = worker.cpuMs() - cpu0;
      const wall = performance.now() - t0;
      const profiles = await Promise.all(inspectors.map(async (i) => (await i.send<{ profile: Profile }>('Profiler.stop')).profile));
      if (process.env.PROFILE_OUT) writeFileSync(`${process.env.PROFILE_OUT}.${label}.cpuprofile`, JSON.stringify(profiles[0]));
      console.log(`\n===== ${label}: ${n} requests, workerd CPU ${(cpu / n).toFixed(2)} ms/request, wall ${(wall / n).toFixed(2)} ms/request`);
      console.log(summarize(profiles));
    };
    const ids: string[] = [];
    await run('POST', async () => {
      for (let i = 0; i < n; i++) ids.push(await post());
    });
    await run('GET', async () => {
      for (const id of ids) await get(id);
    });
    for (const i of inspectors) i.close();
  } finally {
    await worker.stop();
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

// A/B comparison of two production bundles in plain workerd, for deciding on a change: both run at
// once against one local stack, and rounds of POST /fax + GET /fax/:id alternate between them, so
// the machine's noise falls on both alike. Prints the median CPU per request of each and the ratio.
//
// Build the bundles first (scripts/stack/workerd-config.ts buildProductionBundle, or
// `npx wrangler deploy --dry-run --outdir DIR`), then:
//   node scripts/bench/ab-workerd.ts DIR_A DIR_B   (BENCH_DATABASE_URL, AB_ROUNDS=9, AB_N=40)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onePagePdf } from './sample-pdf.ts';
import { benchWorkerVars } from './worker-vars.ts';
import { startLocalStack } from '../stack/local-stack.ts';
import { startWorkerdProcess, type WorkerdProcess } from '../stack/workerd-process.ts';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main() {
  const [dirA, dirB] = process.argv.slice(2);
  if (!dirA || !dirB) throw new Error('usage: ab-workerd.ts BUNDLE_DIR_A BUNDLE_DIR_B');
  const rounds = Number(process.env.AB_ROUNDS ?? 9);
  const n = Number(process.env.AB_N ?? 40);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'faxbot-ab-'));
  const apiKey = 'bench-admin-key-0123456789abcdef0123456789';
  const stack = await startLocalStack({ dataDir: dir, databaseUrl: process.env.BENCH_DATABASE_URL, ephemeral: true, scratch: true });
  const vars = benchWorkerVars(stack.vars, apiKey, { FAX_BACKEND: 'sandbox', SANDBOX_STEP_MS: '60000' });
  const workers: WorkerdProcess[] = [];
  try {
    for (const [i, bundleDir] of [dirA, dirB].entries()) workers.push(await startWorkerdProcess({ dir: path.join(dir, `w${i}`), bundleDir: path.resolve(bundleDir), vars }));
    const pdf = await onePagePdf();
    const auth = { authorization: `Bearer ${apiKey}` };
    const post = async (w: WorkerdProcess) => {
      const form = new FormData();
      form.set('to', '+15555550401');
      form.set('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), 'a.pdf');
      const res = await fetch(`${w.url}/fax`, { method: 'POST', headers: auth, body: form });
      if (res.status !== 202) throw new Error(`POST /fax -> ${res.status}`);
      return ((await res.json()) as { id: string }).id;
    };
    const get = async (w: WorkerdProcess, id: string) => {
      const res = await fetch(`${w.url}/fax/${id}`, { headers: auth });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`GET -> ${res.status}`);
    };
    for (const w of workers) for (let i = 0; i < 10; i++) await get(w, await post(w));
    const results = workers.map(() => ({ post: [] as number[], get: [] as number[] }));
    // Background work a POST causes (the scheduler's sweep) is counted with it: settle after each phase.
    const settle = () => new Promise((r) => setTimeout(r, 300));
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 ? [1, 0] : [0, 1];
      for (const i of order) {
        const w = workers[i]!;
        const ids: string[] = [];
        let c0 = w.cpuMs();
        for (let k = 0; k < n; k++) ids.push(await post(w));
        await settle();
        results[i]!.post.push((w.cpuMs() - c0) / n);
        c0 = w.cpuMs();
        for (const id of ids) await get(w, id);
        await settle();
        results[i]!.get.push((w.cpuMs() - c0) / n);
      }
    }
    const [a, b] = results as [(typeof results)[0], (typeof results)[0]];
    const f = (x: number) => x.toFixed(2);
    console.log(`rounds ${rounds} x ${n} requests; median workerd CPU ms/request (load ${os.loadavg().map((x) => x.toFixed(2)).join(', ')})`);
    console.log(`POST  A ${f(median(a.post))}  B ${f(median(b.post))}  B/A ${f(median(b.post) / median(a.post))}   [A ${a.post.map(f).join(' ')}] [B ${b.post.map(f).join(' ')}]`);
    console.log(`GET   A ${f(median(a.get))}  B ${f(median(b.get))}  B/A ${f(median(b.get) / median(a.get))}   [A ${a.get.map(f).join(' ')}] [B ${b.get.map(f).join(' ')}]`);
  } finally {
    for (const w of workers) await w.stop();
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

// Memory of POST /fax by upload size, in the production bundle in plain workerd: for each size a
// fresh workerd process takes `BENCH_MEMORY_N` uploads at c=4 while its resident set is sampled
// every 10 ms; the peak above the process's warmed-up baseline, per concurrent upload, is what one
// upload costs at its worst (V8 heap, ArrayBuffers, workerd's own buffers). The documents are
// 1-page PDFs padded to size with an attachment, so pdf-lib parses a realistic structure.
//
// `node scripts/bench/upload-memory.ts` (sizes in MB: BENCH_MEMORY_SIZES=1,5,10).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { closedLoop } from './load.ts';
import { benchWorkerVars } from './worker-vars.ts';
import { startLocalStack } from '../stack/local-stack.ts';
import { buildProductionBundle } from '../stack/workerd-config.ts';
import { startWorkerdProcess } from '../stack/workerd-process.ts';

export interface MemoryRow {
  sizeMb: number;
  baselineMiB: number;
  peakMiB: number;
  /** (peak - baseline) / concurrency / file size. */
  perUploadTimesFile: number;
}

async function paddedPdf(bytes: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.addPage([612, 792]).drawText('Faxbot memory benchmark', { x: 72, y: 700, font, size: 14 });
  const base = (await doc.save()).byteLength;
  // Random bytes: an attachment is stored compressed, and noise does not compress.
  const pad = new Uint8Array(Math.max(0, bytes - base - 600));
  for (let i = 0; i < pad.length; i += 65536) crypto.getRandomValues(pad.subarray(i, i + 65536));
  await doc.attach(pad, 'padding.bin', { mimeType: 'application/octet-stream' });
  return doc.save({ useObjectStreams: false });
}

const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

export async function benchUploadMemory(o: { sizesMb: number[]; n: number; concurrency?: number; databaseUrl?: string }): Promise<MemoryRow[]> {
  const c = o.concurrency ?? 4;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'faxbot-memory-'));
  const apiKey = 'bench-admin-key-0123456789abcdef0123456789';
  const rows: MemoryRow[] = [];
  try {
    const [stack] = await Promise.all([
      startLocalStack({ dataDir: dir, databaseUrl: o.databaseUrl, ephemeral: true, scratch: true }),
      buildProductionBundle(path.join(dir, 'bundle')),
    ]);
    try {
      for (const sizeMb of o.sizesMb) {
        const pdf = await paddedPdf(Math.floor(sizeMb * 1024 * 1024) - 70 * 1024);
        const worker = await startWorkerdProcess({
          dir: path.join(dir, `w${sizeMb}`),
          bundleDir: path.join(dir, 'bundle'),
          vars: benchWorkerVars(stack.vars, apiKey, { FAX_BACKEND: 'sandbox', SANDBOX_STEP_MS: '60000', MAX_FILE_SIZE_MB: String(Math.ceil(sizeMb)) }),
        });
        try {
          const send = async () => {
            const form = new FormData();
            form.set('to', '+15555550401');
            form.set('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), 'a.pdf');
            const res = await fetch(`${worker.url}/fax`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}` }, body: form });
            await res.arrayBuffer();
            if (res.status !== 202) throw new Error(`POST /fax (${sizeMb} MB) -> ${res.status}`);
          };
          for (let i = 0; i < 4; i++) await send();
          await new Promise((r) => setTimeout(r, 500));
          const baseline = rssMiB(worker.pid);
          let peak = baseline;
          const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(worker.pid))), 10);
          try {
            await closedLoop(c, o.n, send);
          } finally {
            clearInterval(sampler);
          }
          rows.push({ sizeMb: Number((pdf.byteLength / 2 ** 20).toFixed(2)), baselineMiB: baseline, peakMiB: peak, perUploadTimesFile: (peak - baseline) / c / (pdf.byteLength / 2 ** 20) });
        } finally {
          await worker.stop();
        }
      }
    } finally {
      await stack.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

export function formatUploadMemory(rows: MemoryRow[], n: number): string {
  return [
    `| upload (MB) | uploads at c=4 | workerd RSS before (MiB) | peak (MiB) | peak growth per concurrent upload, × file size |`,
    '|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.sizeMb} | ${n} | ${r.baselineMiB.toFixed(0)} | ${r.peakMiB.toFixed(0)} | ${r.perUploadTimesFile.toFixed(2)} |`),
  ].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const sizes = (process.env.BENCH_MEMORY_SIZES ?? '1,5,10').split(',').map(Number);
  const n = Number(process.env.BENCH_MEMORY_N ?? 40);
  benchUploadMemory({ sizesMb: sizes, n, databaseUrl: process.env.BENCH_DATABASE_URL })
    .then((rows) => console.log(formatUploadMemory(rows, n)))
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}

// The outbound document: download the PDF from the edge's short-lived signed URL (retrying network errors,
// 429 and 5xx), convert it to TIFF-F with Ghostscript (agent/ghostscript.ts: tiffg4, 204x196, pages fitted
// to the paper size) and count its pages. Ghostscript's output is never logged: it can quote document content.
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { chmod, rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { backoffDelay } from './ami/backoff.ts';
import type { BackoffOptions } from './ami/backoff.ts';
import { coldGhostscript, type GhostscriptRunner, type PaperSize } from './ghostscript.ts';
import { countTiffPages } from './tiff-pages.ts';

export { countTiffPages };

export class DocumentError extends Error {
  override name = 'DocumentError';
  readonly reason: 'download_failed' | 'conversion_failed';

  constructor(reason: 'download_failed' | 'conversion_failed', message: string) {
    super(message);
    this.reason = reason;
  }
}

export interface DownloadOptions {
  signal?: AbortSignal;
  /** Attempts in all (default 4). */
  attempts?: number;
  backoff?: BackoffOptions;
  timeoutMs?: number;
  maxBytes?: number;
  fetch?: typeof fetch;
}

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
const retryable = (status: number): boolean => status === 429 || status >= 500;

/** Downloads `url` to `dest` (plain GET: the URL carries its own signature). Throws DocumentError. */
export async function downloadDocument(url: string, dest: string, opts: DownloadOptions = {}): Promise<void> {
  const attempts = opts.attempts ?? 4;
  const doFetch = opts.fetch ?? fetch;
  let last = 'no attempt made';
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) await sleep(backoffDelay(attempt - 1, opts.backoff ?? { baseMs: 1000, capMs: 10_000 }), opts.signal);
    opts.signal?.throwIfAborted();
    const signals = [AbortSignal.timeout(opts.timeoutMs ?? 120_000), ...(opts.signal ? [opts.signal] : [])];
    try {
      const res = await doFetch(url, { signal: AbortSignal.any(signals), redirect: 'follow' });
      if (!res.ok || !res.body) {
        await res.body?.cancel();
        last = `HTTP ${res.status}`;
        if (retryable(res.status)) continue;
        throw new DocumentError('download_failed', `document download refused: HTTP ${res.status}`);
      }
      const declared = Number(res.headers.get('content-length') ?? '0');
      const max = opts.maxBytes ?? DEFAULT_MAX_BYTES;
      if (declared > max) throw new DocumentError('download_failed', `document larger than ${max} bytes`);
      await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), limit(max), createWriteStream(dest, { mode: 0o600 }));
      return;
    } catch (err) {
      if (err instanceof DocumentError) throw err;
      if (opts.signal?.aborted) throw opts.signal.reason;
      last = (err as Error).message;
    }
  }
  await rm(dest, { force: true });
  throw new DocumentError('download_failed', `document download failed after ${attempts} attempts (${last})`);
}

function limit(max: number): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      total += chunk.length;
      if (total > max) cb(new DocumentError('download_failed', `document larger than ${max} bytes`));
      else cb(null, chunk);
    },
  });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function run(cmd: string, args: string[], opts: { timeoutMs: number; signal?: AbortSignal }): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: opts.timeoutMs, signal: opts.signal, maxBuffer: 4 * 1024 * 1024 }, (err, stdout) => {
      if (err) reject(err);
      else resolve(stdout);
    });
  });
}

export interface ConvertOptions {
  paperSize?: PaperSize;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** The Ghostscript to run (the agent's pre-started one); default a fresh process. */
  ghostscript?: GhostscriptRunner;
}

/** PDF -> TIFF-F (CCITT G4, 1728 px wide, 204x196 dpi) for SendFAX; resolves with the page count. */
export async function convertPdfToTiff(pdf: string, tiff: string, opts: ConvertOptions = {}): Promise<number> {
  try {
    await (opts.ghostscript ?? coldGhostscript).render(pdf, tiff, { paperSize: opts.paperSize ?? 'letter', timeoutMs: opts.timeoutMs ?? 300_000, signal: opts.signal });
  } catch (err) {
    await rm(tiff, { force: true });
    if (opts.signal?.aborted) throw opts.signal.reason;
    throw new DocumentError('conversion_failed', `Ghostscript could not convert the document (${exitInfo(err)})`);
  }
  let pages: number;
  try {
    await chmod(tiff, 0o640); // Asterisk (same group) must read it, nobody else
    pages = await countTiffPages(tiff, opts.signal);
  } catch (err) {
    await rm(tiff, { force: true });
    if (opts.signal?.aborted) throw opts.signal.reason;
    throw new DocumentError('conversion_failed', `Ghostscript produced no readable TIFF (${exitInfo(err)})`);
  }
  if (pages < 1) throw new DocumentError('conversion_failed', 'the converted document has no pages');
  return pages;
}

/** `tiff2pdf -o out.pdf in.tiff` (Ghostscript cannot read TIFF). */
export async function convertTiffToPdf(tiff: string, pdf: string, timeoutMs = 300_000): Promise<void> {
  try {
    await run('tiff2pdf', ['-o', pdf, tiff], { timeoutMs });
  } catch (err) {
    await rm(pdf, { force: true });
    throw new DocumentError('conversion_failed', `tiff2pdf could not convert the received fax (${exitInfo(err)})`);
  }
}

function exitInfo(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { code?: number | string; killed?: boolean; signal?: string };
  if (e.code === 'ENOENT') return 'program not installed';
  if (e.killed || e.signal) return `killed${e.signal ? ` by ${e.signal}` : ''}`;
  return e.code === undefined ? 'failed' : `exit code ${e.code}`;
}

// Received faxes: on AMI UserEvent FaxReceived (or FaxRxHangup when ReceiveFAX was cut short) move the TIFF into
// <spool>/inbound, convert it with tiff2pdf, write a sidecar JSON, and upload until the edge stores it (then delete
// all three). 5xx/429/network errors retry forever with jittered backoff; other 4xx park the files in failed/.
import { copyFile, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { maskNumber } from '../shared/mask-number.ts';
import { backoffDelay } from './ami/backoff.ts';
import type { BackoffOptions } from './ami/backoff.ts';
import type { AmiEvent } from './ami/client.ts';
import { writeFileAtomic } from './atomic-file.ts';
import { convertTiffToPdf } from './document.ts';
import { uploadInbound } from './inbound-upload.ts';
import type { InboundRecord } from './inbound-upload.ts';
import { errorMessage } from './logger.ts';
import type { Logger } from './logger.ts';
import type { AgentMetrics, InboundOutcome } from './metrics.ts';

export interface InboundOptions {
  ami: { on(event: 'event', fn: (e: AmiEvent) => void): unknown; off(event: 'event', fn: (e: AmiEvent) => void): unknown };
  spoolDir: string;
  /** Prefix of the event's File path as Asterisk sees it; mapped to spoolDir. */
  asteriskSpoolDir: string;
  edgeUrl: string;
  token: () => string;
  /** Sends an inbound_notice when connected (best effort). */
  notify: (uniqueid: string, stage: InboundOutcome) => void;
  logger: Logger;
  metrics: AgentMetrics;
  /** Upload retry delays (default base 1 s, cap 60 s, full jitter). */
  backoff?: BackoffOptions;
  fetch?: typeof fetch;
}

const EVENTS = new Set(['faxreceived', 'faxrxhangup']);
const SEEN_MAX = 1000;

export class InboundManager {
  readonly #o: InboundOptions;
  readonly #log: Logger;
  readonly #dir: string;
  readonly #failedDir: string;
  readonly #seen = new Set<string>();
  readonly #tasks = new Set<Promise<void>>();
  readonly #stop = new AbortController();
  readonly #onEvent = (e: AmiEvent): void => this.#handleEvent(e);

  constructor(options: InboundOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'inbound' });
    this.#dir = path.join(options.spoolDir, 'inbound');
    this.#failedDir = path.join(this.#dir, 'failed');
  }

  /** Uploads (or conversions) not finished yet. */
  get pending(): number {
    return this.#tasks.size;
  }

  /** Subscribes to AMI events and resumes the uploads left in the spool. */
  async start(): Promise<void> {
    await mkdir(this.#failedDir, { recursive: true, mode: 0o700 });
    this.#o.ami.on('event', this.#onEvent);
    const names = await readdir(this.#dir);
    for (const name of names) {
      if (name.endsWith('.json') && !name.startsWith('.')) {
        this.#spawn(this.#deliver(name.slice(0, -5)));
      } else if (name.endsWith('.tif') && !names.includes(`${name.slice(0, -4)}.json`)) {
        this.#log.warn('received fax without metadata (crash while receiving): moved to failed/', { file: name });
        await rename(path.join(this.#dir, name), path.join(this.#failedDir, name)).catch(() => undefined);
      }
    }
    if (this.#tasks.size > 0) this.#log.info('resuming inbound uploads', { count: this.#tasks.size });
  }

  /** Stops listening and retrying; files stay in the spool and are resumed on the next start. */
  async stop(): Promise<void> {
    this.#o.ami.off('event', this.#onEvent);
    this.#stop.abort(new Error('agent stopping'));
    await Promise.allSettled([...this.#tasks]);
  }

  #spawn(task: Promise<void>): void {
    const t = task.catch((err: unknown) => {
      if (!this.#stop.signal.aborted) this.#log.error('inbound fax handling failed', { error: errorMessage(err) });
    });
    this.#tasks.add(t);
    void t.finally(() => this.#tasks.delete(t));
  }

  #handleEvent(e: AmiEvent): void {
    if (e.event.toLowerCase() !== 'userevent' || !EVENTS.has((e.userevent ?? '').toLowerCase())) return;
    if ((e.jobid ?? '').trim() !== '') return; // the far leg of one of our own (loopback) outbound calls
    const uniqueid = (e.rxuniqueid || e.uniqueid || '').trim();
    if (!uniqueid || this.#seen.has(uniqueid)) return; // FaxRxHangup follows FaxReceived for the same call
    this.#seen.add(uniqueid);
    if (this.#seen.size > SEEN_MAX) this.#seen.delete(this.#seen.values().next().value as string);
    this.#spawn(this.#receive(e, uniqueid));
  }

  async #receive(e: AmiEvent, uniqueid: string): Promise<void> {
    const id = uniqueid.replace(/[^A-Za-z0-9._-]/g, '_');
    const caller = (e.from ?? e.calleridnum ?? '').trim();
    const record: InboundRecord = {
      version: 1,
      uniqueid,
      from: caller === '<unknown>' ? '' : caller,
      to: (e.to ?? e.exten ?? '').trim(),
      pages: Number.parseInt(e.pages ?? '', 10) || 0,
      receivedAt: new Date().toISOString(),
      status: (e.status ?? '').trim().toUpperCase(),
      ...(e.remotestationid?.trim() ? { remoteStationId: e.remotestationid.trim().slice(0, 200) } : {}),
    };
    this.#count(uniqueid, 'received');
    this.#log.info('fax received', { uniqueid, from: maskNumber(record.from), to: maskNumber(record.to), pages: record.pages, status: record.status });
    const source = this.#localPath(e.file ?? '');
    const tif = path.join(this.#dir, `${id}.tif`);
    if (!source || !(await exists(source))) {
      if (record.status === 'SUCCESS') {
        this.#log.error('received fax file not found: is the Asterisk fax spool shared with SPOOL_DIR (ASTERISK_SPOOL_DIR)?', { uniqueid });
      } else this.#log.warn('inbound call ended without a fax', { uniqueid, status: record.status });
      return this.#count(uniqueid, 'failed');
    }
    await move(source, tif);
    await writeFileAtomic(path.join(this.#dir, `${id}.json`), JSON.stringify(record));
    if (record.status !== 'SUCCESS') {
      this.#log.warn('fax reception failed: the partial fax is kept in failed/', { uniqueid, status: record.status });
      await this.#park(id);
      return this.#count(uniqueid, 'failed');
    }
    await this.#deliver(id);
  }

  /** Converts (if not done yet) and uploads until stored, rejected or stopped. */
  async #deliver(id: string): Promise<void> {
    const files = { tif: path.join(this.#dir, `${id}.tif`), pdf: path.join(this.#dir, `${id}.pdf`), json: path.join(this.#dir, `${id}.json`) };
    const record = JSON.parse(await readFile(files.json, 'utf8')) as InboundRecord;
    if (!(await exists(files.pdf))) {
      try {
        await convertTiffToPdf(files.tif, files.pdf);
      } catch (err) {
        this.#log.error('received fax could not be converted to PDF: kept in failed/', { uniqueid: record.uniqueid, error: errorMessage(err) });
        await this.#park(id);
        return this.#count(record.uniqueid, 'failed');
      }
    }
    const signal = this.#stop.signal;
    for (let attempt = 0; !signal.aborted; attempt++) {
      const outcome = await uploadInbound({ edgeUrl: this.#o.edgeUrl, token: this.#o.token(), record, pdfPath: files.pdf, signal, fetch: this.#o.fetch });
      if (outcome.kind === 'stored') {
        for (const f of [files.pdf, files.tif, files.json]) await rm(f, { force: true });
        this.#log.info('received fax uploaded', { uniqueid: record.uniqueid, attempts: attempt + 1 });
        return this.#count(record.uniqueid, 'uploaded');
      }
      if (outcome.kind === 'rejected') {
        this.#log.error('the edge refused the received fax: kept in failed/', { uniqueid: record.uniqueid, status: outcome.status });
        await this.#park(id);
        return this.#count(record.uniqueid, 'failed');
      }
      const delayMs = Math.min(60_000, Math.max(backoffDelay(attempt, this.#o.backoff ?? { baseMs: 1000, capMs: 60_000 }), outcome.retryAfterMs ?? 0));
      this.#log.warn('inbound upload failed: will retry', { uniqueid: record.uniqueid, status: outcome.status, error: outcome.error, delayMs });
      await sleep(delayMs, signal);
    }
  }

  /** Moves whatever exists of a fax's files into failed/ for an administrator. */
  async #park(id: string): Promise<void> {
    for (const ext of ['tif', 'pdf', 'json']) {
      await rename(path.join(this.#dir, `${id}.${ext}`), path.join(this.#failedDir, `${id}.${ext}`)).catch(() => undefined);
    }
  }

  #count(uniqueid: string, stage: InboundOutcome): void {
    this.#o.metrics.inbound[stage] += 1;
    this.#o.notify(uniqueid, stage);
  }

  /** Asterisk's path -> ours (they differ when the agent runs in a container). */
  #localPath(file: string): string | undefined {
    const f = file.trim();
    if (!f || !path.isAbsolute(f)) return undefined;
    const prefix = this.#o.asteriskSpoolDir.replace(/\/+$/, '');
    if (prefix !== this.#o.spoolDir && f.startsWith(`${prefix}/`)) return path.join(this.#o.spoolDir, f.slice(prefix.length + 1));
    return f;
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** rename, or copy + delete across filesystems (Asterisk's spool on another volume). */
async function move(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await copyFile(from, to);
    await rm(from, { force: true });
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

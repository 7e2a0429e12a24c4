// Ghostscript for PDF -> TIFF-F, started ahead of need. Half of a cold `gs` run on a one-page fax is
// start-up (init files, fonts, the device: ~50 ms of the ~65), so the agent keeps one process past
// that point, waiting on stdin for its program. A conversion hands it `(job.pdf) run`, then a page
// device change to /dev/null (which closes the TIFF: every byte is written) and a marker of its own
// on stdout. The conversion is over when the marker arrives: the process is killed then, instead of
// waiting ~5 ms for Ghostscript to free its memory and exit. The next spare starts when the caller
// says its urgent part is over (`replenish`: the job's call is queued at Asterisk), or a second
// later: never while the job still needs the CPU for its dial grant. The spare may read only the
// spool (-dSAFER, --permit-file-read, TMPDIR), write only its own file and /dev/null; its output file
// is renamed to the job's TIFF. Its stdout (which can quote document content) is only scanned for
// the marker, never kept or logged.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';

export type PaperSize = 'letter' | 'a4';

export interface RenderOptions {
  paperSize: PaperSize;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Renders `pdf` to `tiff`; rejects with the process's error (ENOENT, exit code, kill signal). */
export interface GhostscriptRunner {
  render(pdf: string, tiff: string, o: RenderOptions): Promise<void>;
  /** The caller's time-critical part is over: prepare for the next render now (idempotent). */
  replenish?(): void;
}

/** A used spare is replaced this long after its conversion if nobody calls `replenish` first. */
export const SPARE_RESTART_MS = 1000;

/** The fax device: CCITT G4, 204x196 dpi, every page (landscape, oversized...) fitted to the paper, so 1728 px wide. */
export function faxDeviceArgs(paperSize: PaperSize): string[] {
  return ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sDEVICE=tiffg4', '-r204x196', `-sPAPERSIZE=${paperSize}`, '-dFIXEDMEDIA', '-dPDFFitPage'];
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

interface Process {
  child: ChildProcess;
  out: string;
  exited: Promise<Exit>;
  /** Printed on stdout once the program has run and the TIFF is closed. */
  marker: string;
  /** Resolves when the marker has been seen. */
  finished: Promise<void>;
}

/** Thrown for a run that did not exit 0: fields as `execFile`'s errors have them. */
export class GhostscriptExit extends Error {
  override name = 'GhostscriptExit';
  readonly code: number | undefined;
  readonly killed: boolean;
  readonly signal: string | undefined;

  constructor(code: number | undefined, killed: boolean, signal?: string) {
    super(`gs ${killed ? 'killed' : `exit ${code}`}`);
    this.code = code;
    this.killed = killed;
    this.signal = signal;
  }
}

/** A PostScript string literal's body: backslash and parentheses escaped. */
export function psString(s: string): string {
  return s.replace(/[\\()]/g, '\\$&');
}

export class WarmGhostscript implements GhostscriptRunner {
  readonly #dir: string;
  readonly #paperSize: PaperSize;
  readonly #restartMs: number;
  #spare: Process | undefined;
  #restart: NodeJS.Timeout | undefined;
  #closed = false;

  /** `dir`: where the documents are (the only place Ghostscript may read) and its output goes. */
  constructor(dir: string, paperSize: PaperSize, o: { restartMs?: number } = {}) {
    this.#dir = path.resolve(dir);
    this.#paperSize = paperSize;
    this.#restartMs = o.restartMs ?? SPARE_RESTART_MS;
  }

  /** Starts the spare if there is none (idempotent). Never throws: without a spare, a render starts its own process. */
  start(): void {
    clearTimeout(this.#restart);
    this.#restart = undefined;
    if (this.#closed || this.#spare) return;
    try {
      this.#spare = this.#spawn(this.#paperSize);
    } catch {
      this.#spare = undefined; // e.g. out of file descriptors: the next render spawns (and reports) itself
    }
  }

  replenish(): void {
    this.start();
  }

  async render(pdf: string, tiff: string, o: RenderOptions): Promise<void> {
    let p = o.paperSize === this.#paperSize ? this.#spare : undefined;
    if (p) this.#spare = undefined;
    try {
      // A spare killed while it waited (out of memory, an operator) is not the document's fault: once more, fresh.
      for (let tries = 0; ; tries++) {
        const dead = p && (p.child.exitCode !== null || p.child.signalCode !== null) ? p : undefined;
        if (dead) void dead.exited.then(() => rm(dead.out, { force: true }));
        const proc = p && !dead ? p : this.#spawn(o.paperSize);
        p = undefined;
        const exit = await this.#run(proc, pdf, o);
        if (exit.error) throw exit.error;
        if (exit.code === 0) return await rename(proc.out, tiff);
        await rm(proc.out, { force: true });
        if (exit.signal && !exit.ours && tries === 0) continue;
        throw new GhostscriptExit(exit.code ?? undefined, exit.signal !== null, exit.signal ?? undefined);
      }
    } finally {
      // Not now: the job's dial grant and Originate come next, and a starting Ghostscript takes a core.
      if (!this.#spare && !this.#restart && !this.#closed) {
        this.#restart = setTimeout(() => this.start(), this.#restartMs);
        this.#restart.unref();
      }
    }
  }

  /** Hands the process its program and waits for it to exit (killed on timeout or abort). */
  async #run(proc: Process, pdf: string, o: RenderOptions): Promise<Exit & { ours: boolean }> {
    let ours = false;
    const kill = (): void => {
      ours = true;
      proc.child.kill('SIGKILL');
    };
    const timer = setTimeout(kill, o.timeoutMs);
    o.signal?.addEventListener('abort', kill, { once: true });
    try {
      proc.child.ref();
      if (o.signal?.aborted) kill();
      else proc.child.stdin?.end(`(${psString(pdf)}) run << /OutputFile (/dev/null) >> setpagedevice (${proc.marker}\n) print flush\n`);
      const exit = await Promise.race([proc.exited, proc.finished.then(() => 'finished' as const)]);
      if (exit === 'finished') {
        // The TIFF is closed and complete: what is left is Ghostscript freeing its memory.
        proc.child.kill('SIGKILL');
        return { code: 0, signal: null, ours };
      }
      if (exit.error) await rm(proc.out, { force: true });
      return { ...exit, ours };
    } finally {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', kill);
    }
  }

  /** Stops the spare (agent shutdown) and removes its output file. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#restart);
    const p = this.#spare;
    this.#spare = undefined;
    if (!p) return;
    p.child.kill('SIGKILL');
    await p.exited;
    await rm(p.out, { force: true });
  }

  #spawn(paperSize: PaperSize): Process {
    const out = path.join(this.#dir, `.gs-${randomUUID()}.tiff`);
    const args = [...faxDeviceArgs(paperSize), `--permit-file-read=${this.#dir}${path.sep}`, '--permit-file-write=/dev/null', `-sOutputFile=${out}`, '-'];
    // TMPDIR too: Ghostscript's SAFER mode also lets it read its temporary directory (/tmp by default).
    const child = spawn('gs', args, { stdio: ['pipe', 'pipe', 'ignore'], env: { ...process.env, TMPDIR: this.#dir } });
    child.stdin.on('error', () => undefined); // EPIPE when it died first: its exit tells why
    const marker = `faxbot-converted-${randomUUID()}`;
    const finished = watchFor(child, marker);
    // A waiting spare does not keep the agent alive; if the agent dies, its stdin closes and it exits.
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    const exited = new Promise<Exit>((resolve) => {
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    return { child, out, exited, marker, finished };
  }
}

/** Resolves when `marker` appears on the child's stdout; keeps no more of the output than a marker's length. */
function watchFor(child: ChildProcess, marker: string): Promise<void> {
  return new Promise((resolve) => {
    let tail = '';
    const stdout = child.stdout!;
    stdout.setEncoding('latin1');
    const onData = (chunk: string): void => {
      const seen = tail + chunk;
      if (seen.includes(marker)) {
        stdout.off('data', onData);
        stdout.resume(); // drain whatever follows
        return resolve();
      }
      tail = seen.slice(-marker.length);
    };
    stdout.on('data', onData);
    (stdout as unknown as { unref?: () => void }).unref?.();
  });
}

/** One fresh `gs` per conversion (no spare): for tools and tests that convert once. */
export const coldGhostscript: GhostscriptRunner = {
  render(pdf, tiff, o) {
    const args = [...faxDeviceArgs(o.paperSize), `-sOutputFile=${tiff}`, pdf];
    return new Promise((resolve, reject) => {
      execFile('gs', args, { timeout: o.timeoutMs, killSignal: 'SIGKILL', signal: o.signal }, (err) => (err ? reject(err) : resolve()));
    });
  },
};

// Durable journal of the outbound jobs this agent holds (accepted -> dialing -> done + result), one JSON file
// rewritten atomically on every change. It is what makes "never Originate twice" hold across restarts.
import { readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { InFlightJob, JobResult } from '../shared/agent-protocol.ts';
import { writeFileAtomic } from './atomic-file.ts';
import type { Logger } from './logger.ts';

export interface JournalEntry {
  jobId: string;
  offerId: string;
  state: 'accepted' | 'dialing' | 'done';
  /** E.164 destination (PHI): dropped once the job is done. */
  to?: string;
  headerText?: string | null;
  /** Short-lived signed URL: kept only while the document may still have to be downloaded. */
  documentUrl?: string;
  /** Preset Uniqueid of the sending leg, set when the job enters `dialing`. */
  channelId?: string;
  result?: JobResult;
  updatedAt: number;
}

interface JournalFile {
  version: 1;
  jobs: JournalEntry[];
}

export const JOURNAL_FILE = 'journal.json';

export class Journal {
  readonly #file: string;
  readonly #jobs = new Map<string, JournalEntry>();
  #version = 0;
  #written = 0;
  #writing: Promise<void> | undefined;

  private constructor(file: string) {
    this.#file = file;
  }

  /** Loads `<dir>/journal.json`. A corrupt file is set aside (journal.json.corrupt-<ms>) and reported. */
  static async open(dir: string, logger?: Logger): Promise<Journal> {
    const journal = new Journal(path.join(dir, JOURNAL_FILE));
    let text: string;
    try {
      text = await readFile(journal.#file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return journal;
      throw err;
    }
    try {
      const data = JSON.parse(text) as JournalFile;
      if (data.version !== 1 || !Array.isArray(data.jobs)) throw new Error('unexpected journal format');
      for (const job of data.jobs) journal.#jobs.set(job.jobId, job);
    } catch (err) {
      const aside = `${journal.#file}.corrupt-${Date.now()}`;
      await rename(journal.#file, aside);
      logger?.error('journal unreadable: set aside, starting empty', { file: aside, error: (err as Error).message });
    }
    return journal;
  }

  get(jobId: string): JournalEntry | undefined {
    const e = this.#jobs.get(jobId);
    return e && structuredClone(e);
  }

  all(): JournalEntry[] {
    return [...this.#jobs.values()].map((e) => structuredClone(e));
  }

  get size(): number {
    return this.#jobs.size;
  }

  /** Inserts or replaces an entry; resolves once it is on disk. */
  async put(entry: Omit<JournalEntry, 'updatedAt'>): Promise<void> {
    const previous = this.#jobs.get(entry.jobId);
    this.#jobs.set(entry.jobId, { ...structuredClone(entry), updatedAt: Date.now() });
    try {
      await this.#persist();
    } catch (err) {
      // Not on disk means not journaled: undo, so memory never claims what the disk does not hold.
      if (previous) this.#jobs.set(entry.jobId, previous);
      else this.#jobs.delete(entry.jobId);
      throw err;
    }
  }

  /** Resolves once the removal is on disk; a no-op for unknown jobs. */
  async delete(jobId: string): Promise<void> {
    if (!this.#jobs.delete(jobId)) return;
    await this.#persist();
  }

  /** The journal as `hello.inFlight`. */
  inFlight(): InFlightJob[] {
    return [...this.#jobs.values()].map((e) => ({
      jobId: e.jobId,
      offerId: e.offerId,
      state: e.state,
      ...(e.result ? { result: e.result } : {}),
    }));
  }

  /** Writes are serialised; several changes during one write are coalesced into the next. */
  async #persist(): Promise<void> {
    const target = ++this.#version;
    while (this.#written < target) {
      this.#writing ??= this.#writeOnce().finally(() => {
        this.#writing = undefined;
      });
      await this.#writing;
    }
  }

  async #writeOnce(): Promise<void> {
    const version = this.#version;
    const data: JournalFile = { version: 1, jobs: [...this.#jobs.values()] };
    await writeFileAtomic(this.#file, `${JSON.stringify(data, null, 1)}\n`);
    this.#written = Math.max(this.#written, version);
  }
}

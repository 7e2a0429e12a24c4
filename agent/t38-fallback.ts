// Per-destination T.38 memory (as gofaxip does): a number whose call failed T.38 negotiation
// (FAXERROR T38_NEG_ERROR) is dialled in audio next time (SendFAX option F via FAXOPTS). Kept in
// the spool as JSON (numbers are PHI: the file is 0600 and never logged) and forgotten after 90 days.
import { readFile, rename, writeFile } from 'node:fs/promises';

const KEEP_MS = 90 * 86400_000;

export function isT38NegotiationFailure(faxError: string | undefined): boolean {
  return !!faxError && /T38_NEG_ERROR|negotiating T\.38/i.test(faxError);
}

export class T38Fallback {
  readonly #file: string;
  #entries: Map<string, number> | undefined;

  constructor(file: string) {
    this.#file = file;
  }

  async #load(): Promise<Map<string, number>> {
    if (this.#entries) return this.#entries;
    try {
      const data = JSON.parse(await readFile(this.#file, 'utf8')) as Record<string, number>;
      this.#entries = new Map(Object.entries(data).filter(([, at]) => typeof at === 'number' && Date.now() - at < KEEP_MS));
    } catch {
      this.#entries = new Map();
    }
    return this.#entries;
  }

  /** Whether the next call to this number should go out in audio. */
  async audioOnly(to: string): Promise<boolean> {
    return (await this.#load()).has(to);
  }

  async recordNegotiationFailure(to: string): Promise<void> {
    const entries = await this.#load();
    entries.set(to, Date.now());
    const tmp = `${this.#file}.tmp`;
    await writeFile(tmp, JSON.stringify(Object.fromEntries(entries)), { mode: 0o600 });
    await rename(tmp, this.#file);
  }
}

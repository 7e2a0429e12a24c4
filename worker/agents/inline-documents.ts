// Documents a hub may send inside its offer, so the agent need not download them: the bytes of a
// small new job (≤ INLINE_DOCUMENT_MAX_BYTES), handed over by the request that accepted it
// (SipBackend.wake -> AgentHub.kick, up to 3 hubs). Memory only, bounded in count, bytes and age
// (a minute); taken by the first offer of the job. A job not found here (a hub the request did not
// wake, a re-offer by the same hub, an evicted object) is offered with its signed link alone, as
// before: this saves the agent an HTTPS round trip, it never decides anything.
import { INLINE_DOCUMENT_MAX_BYTES } from '../../shared/agent-protocol.ts';
import { base64 } from '../lib/crypto.ts';

const MAX_ENTRIES = 16;
const MAX_TOTAL_BYTES = 4 * 1024 * 1024;
const MAX_AGE_MS = 60_000;

export class InlineDocuments {
  readonly #entries = new Map<string, { bytes: Uint8Array; at: number }>();
  #total = 0;

  /** Keeps `bytes` for `jobId` (ignored when too large); the oldest go first when full. */
  remember(jobId: string, bytes: Uint8Array, now = Date.now()): void {
    if (bytes.byteLength === 0 || bytes.byteLength > INLINE_DOCUMENT_MAX_BYTES || this.#entries.has(jobId)) return;
    this.expire(now);
    while (this.#entries.size >= MAX_ENTRIES || (this.#entries.size > 0 && this.#total + bytes.byteLength > MAX_TOTAL_BYTES)) {
      this.#drop(this.#entries.keys().next().value!);
    }
    this.#entries.set(jobId, { bytes, at: now });
    this.#total += bytes.byteLength;
  }

  /** The document as base64, removed from the cache; undefined when absent or too old. */
  take(jobId: string, now = Date.now()): string | undefined {
    this.expire(now);
    const hit = this.#entries.get(jobId);
    if (!hit) return undefined;
    this.#drop(jobId);
    return base64(hit.bytes);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Forgets documents older than a minute (also run by the hub's alarm, so none outlives its minute by much). */
  expire(now = Date.now()): void {
    for (const [id, e] of this.#entries) {
      if (now - e.at <= MAX_AGE_MS) break; // insertion order is age order
      this.#drop(id);
    }
  }

  #drop(jobId: string): void {
    const e = this.#entries.get(jobId);
    if (!e) return;
    this.#entries.delete(jobId);
    this.#total -= e.bytes.byteLength;
  }
}

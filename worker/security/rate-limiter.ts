// Durable Object counter behind every rate limit. One object per bucket (an API key and route
// class, or a client IP for failed logins) serialises all hits for that bucket worldwide, so the
// limit is never exceeded across isolates and locations: a fixed window stored in the object's
// storage. An isolate may take several hits at once (`take`) and spend them itself
// (security/rate-lease.ts); what it took is counted here the moment it is taken.
import { DurableObject } from 'cloudflare:workers';

export interface RateLimitResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Epoch milliseconds when the current window ends. */
  resetAt: number;
}

export interface TakeResult extends RateLimitResult {
  /** Hits granted (0 when refused), each already counted. */
  granted: number;
}

interface Window {
  start: number;
  count: number;
}

export class RateLimiter extends DurableObject {
  /**
   * The stored window, read once per object life: the object is the only writer and handles one
   * call at a time, so memory and storage agree (every change is written before the answer).
   */
  private window: Window | null | undefined;

  /** Counts up to `want` hits (as many as the window has left) and reports the window after them. */
  async take(limit: number, windowMs: number, want: number, now = Date.now()): Promise<TakeResult> {
    const w = await this.current(windowMs, now);
    const granted = Math.max(0, Math.min(Math.floor(want), limit - w.count));
    if (granted > 0) {
      const next = { start: w.start, count: w.count + granted };
      await this.ctx.storage.put('window', next);
      this.window = next;
    }
    const count = w.count + granted;
    return { allowed: granted > 0, granted, limit, remaining: Math.max(0, limit - count), resetAt: w.start + windowMs };
  }

  /** Reports the window without counting (used to refuse before doing work). */
  async peek(limit: number, windowMs: number, now = Date.now()): Promise<RateLimitResult> {
    const w = await this.current(windowMs, now);
    return { allowed: w.count < limit, limit, remaining: Math.max(0, limit - w.count), resetAt: w.start + windowMs };
  }

  private async current(windowMs: number, now: number): Promise<Window> {
    if (this.window === undefined) this.window = (await this.ctx.storage.get<Window>('window')) ?? null;
    const stored = this.window;
    if (stored && now < stored.start + windowMs) return stored;
    return { start: now, count: 0 };
  }
}

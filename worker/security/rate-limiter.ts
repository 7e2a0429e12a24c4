// Durable Object counter behind every rate limit. One object per bucket (an API key and route
// class, or a client IP for failed logins) serialises all hits for that bucket worldwide, so the
// limit is exact across isolates and locations: a fixed window stored in the object's storage.
import { DurableObject } from 'cloudflare:workers';

export interface RateLimitResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Epoch milliseconds when the current window ends. */
  resetAt: number;
}

interface Window {
  start: number;
  count: number;
}

export class RateLimiter extends DurableObject {
  /** Counts one hit (when allowed) and reports the state of the window. */
  async hit(limit: number, windowMs: number, now = Date.now()): Promise<RateLimitResult> {
    const w = await this.current(windowMs, now);
    const allowed = w.count < limit;
    if (allowed) {
      w.count += 1;
      await this.ctx.storage.put('window', w);
    }
    return { allowed, limit, remaining: Math.max(0, limit - w.count), resetAt: w.start + windowMs };
  }

  /** Reports the window without counting (used to refuse before doing work). */
  async peek(limit: number, windowMs: number, now = Date.now()): Promise<RateLimitResult> {
    const w = await this.current(windowMs, now);
    return { allowed: w.count < limit, limit, remaining: Math.max(0, limit - w.count), resetAt: w.start + windowMs };
  }

  private async current(windowMs: number, now: number): Promise<Window> {
    const stored = await this.ctx.storage.get<Window>('window');
    if (stored && now < stored.start + windowMs) return stored;
    return { start: now, count: 0 };
  }
}

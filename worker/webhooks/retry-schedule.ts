// When a failed webhook delivery is tried again: attempts at 0 s, 5 s, 5 min, 30 min, 2 h, 5 h,
// 10 h and 10 h after the previous one (8 in all, about 27.6 h), later when the receiver asks with
// Retry-After (429/503, at most 10 h). WEBHOOK_RETRY_SCALE shrinks the schedule in tests (never in
// production). An endpoint that has failed every delivery for 5 days is disabled.

export const RETRY_DELAYS_MS = [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length;
export const DISABLE_AFTER_FAILING_MS = 5 * 24 * 3600_000;
const MAX_RETRY_AFTER_MS = 36_000_000;

/** After `attempts` failed tries: when to try again, or null when the schedule is spent. */
export function nextAttemptAt(attempts: number, now: number, scale: number, retryAfterMs: number | null): Date | null {
  if (attempts >= MAX_ATTEMPTS) return null;
  const scheduled = RETRY_DELAYS_MS[attempts]! * scale;
  const asked = retryAfterMs === null ? 0 : Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
  return new Date(now + Math.max(scheduled, asked));
}

export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

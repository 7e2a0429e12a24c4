// Reconnect delays: exponential backoff with FULL jitter (delay = random in [0, min(cap, base * 2^attempt)]),
// so many agents restarting together do not reconnect to Asterisk in lockstep.

export interface BackoffOptions {
  /** Delay ceiling of the first retry in ms (default 500). */
  baseMs?: number;
  /** Upper bound of any delay in ms (default 60 000). */
  capMs?: number;
}

export const DEFAULT_BACKOFF = { baseMs: 500, capMs: 60_000 } as const;

/** Upper bound of the delay before retry number `attempt` (0-based). */
export function backoffCeiling(attempt: number, opts: BackoffOptions = {}): number {
  const base = opts.baseMs ?? DEFAULT_BACKOFF.baseMs;
  const cap = opts.capMs ?? DEFAULT_BACKOFF.capMs;
  const n = Math.max(0, Math.floor(attempt));
  return Math.min(cap, base * 2 ** Math.min(n, 52));
}

/** Full-jitter delay for retry `attempt`; `random` returns [0, 1) like Math.random. */
export function backoffDelay(attempt: number, opts: BackoffOptions = {}, random: () => number = Math.random): number {
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * backoffCeiling(attempt, opts));
}

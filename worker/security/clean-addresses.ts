// Per-isolate memory of client addresses whose failed-authentication window was just seen empty, so
// an honest client's requests skip the RateLimiter round trip that checks for a block (one Durable
// Object call per request). Bounded in time and size, and forgotten on any failure this isolate
// records for the address. What it gives up: an address that collects failures in *other*
// isolates meanwhile is refused here up to CLEAN_FOR_MS late; its own failures here still count and
// are checked at once, and every failure anywhere still counts toward the block.
const CLEAN_FOR_MS = 1000;
const MAX_ADDRESSES = 10_000;

const cleanUntil = new Map<string, number>();

export function isKnownClean(address: string, now = Date.now()): boolean {
  const until = cleanUntil.get(address);
  if (until === undefined) return false;
  if (until > now) return true;
  cleanUntil.delete(address);
  return false;
}

/** After a check found no failure in the address's window (which ends at `windowEndsAt`). */
export function rememberClean(address: string, windowEndsAt: number, now = Date.now()): void {
  if (cleanUntil.size >= MAX_ADDRESSES) cleanUntil.clear();
  cleanUntil.set(address, Math.min(now + CLEAN_FOR_MS, windowEndsAt));
}

export function forgetClean(address: string): void {
  cleanUntil.delete(address);
}

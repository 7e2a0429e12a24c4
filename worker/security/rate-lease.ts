// Per-isolate leases on per-key rate-limit buckets: instead of one RateLimiter round trip per
// request, an isolate takes a few hits at once (`leaseSize`) and spends them locally until the
// window ends. Every hit taken is counted in the bucket's Durable Object when it is taken, so the
// limit is never exceeded; what it gives up: hits an isolate holds unspent are not available to
// other isolates, so a key spread over many isolates can be refused up to `leaseSize` hits per
// isolate early. A limit under 40 leases one hit at a time (exact, as without leases).
import type { RateLimitResult, TakeResult } from './rate-limiter.ts';

const MAX_LEASE = 25;
const MAX_BUCKETS = 10_000;

interface Lease {
  limit: number;
  resetAt: number;
  /** Hits this isolate holds. */
  tokens: number;
  /** What the bucket had left when this isolate last took from it. */
  remainingAtObject: number;
}

const leases = new Map<string, Lease>();

/** Hits taken per round trip: a twentieth of the limit, 1 to 25. */
export function leaseSize(limit: number): number {
  return Math.max(1, Math.min(MAX_LEASE, Math.floor(limit / 20)));
}

/**
 * One hit on `bucket`: spent from this isolate's lease, else taken from the bucket's object
 * (`take(want)`), keeping what is left over for the next requests.
 */
export async function spendHit(bucket: string, limit: number, take: (want: number) => Promise<TakeResult>, now = Date.now()): Promise<RateLimitResult> {
  const held = leases.get(bucket);
  if (held && held.limit === limit && held.resetAt > now && held.tokens > 0) return spend(held);
  const r = await take(leaseSize(limit));
  if (r.granted === 0) return { allowed: false, limit: r.limit, remaining: 0, resetAt: r.resetAt };
  // Concurrent requests of this isolate may have taken from the same window: keep every hit.
  const current = leases.get(bucket);
  const kept = current && current.limit === limit && current.resetAt === r.resetAt ? current.tokens : 0;
  if (!current && leases.size >= MAX_BUCKETS) leases.clear();
  const lease = { limit, resetAt: r.resetAt, tokens: kept + r.granted, remainingAtObject: r.remaining };
  leases.set(bucket, lease);
  return spend(lease);
}

function spend(lease: Lease): RateLimitResult {
  lease.tokens -= 1;
  return { allowed: true, limit: lease.limit, remaining: lease.remainingAtObject + lease.tokens, resetAt: lease.resetAt };
}

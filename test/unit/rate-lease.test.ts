// The per-isolate rate-limit lease (worker/security/rate-lease.ts) against a model of the
// RateLimiter object's `take`: the limit is never exceeded, however many isolates spend from one
// bucket and in whatever order; one isolate alone sees the exact countdown; small limits stay
// exact; leases end with their window; concurrent requests of one isolate lose no hit.
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { TakeResult } from '../../worker/security/rate-limiter.ts';

type LeaseModule = typeof import('../../worker/security/rate-lease.ts');

/** A fresh copy of the module: its lease map is what one isolate holds. */
async function isolate(): Promise<LeaseModule> {
  vi.resetModules();
  return import('../../worker/security/rate-lease.ts');
}

/** The object's fixed window, as RateLimiter.take counts it. */
function bucketModel(windowMs = 60_000) {
  let window = { start: -Infinity, count: 0 };
  const model = {
    takes: 0,
    counted: () => window.count,
    take: (limit: number, want: number, now: number): TakeResult => {
      model.takes += 1;
      if (now >= window.start + windowMs) window = { start: now, count: 0 };
      const granted = Math.max(0, Math.min(want, limit - window.count));
      window.count += granted;
      return { allowed: granted > 0, granted, limit, remaining: limit - window.count, resetAt: window.start + windowMs };
    },
  };
  return model;
}

describe('rate-limit leases', () => {
  it('takes a twentieth of the limit per round trip, 1 to 25', async () => {
    const { leaseSize } = await isolate();
    expect([1, 5, 39, 40, 120, 600, 10_000].map(leaseSize)).toEqual([1, 1, 1, 2, 6, 25, 25]);
  });

  it('one isolate: the exact countdown, refusal at limit + 1, a twentieth of the round trips', async () => {
    const { spendHit } = await isolate();
    const bucket = bucketModel();
    const seen: number[] = [];
    for (let i = 0; i < 120; i++) {
      const r = await spendHit('k', 120, async (want) => bucket.take(120, want, 1000), 1000);
      expect(r.allowed).toBe(true);
      seen.push(r.remaining);
    }
    expect(seen).toEqual(Array.from({ length: 120 }, (_, i) => 119 - i));
    expect(bucket.takes).toBe(20);
    const refused = await spendHit('k', 120, async (want) => bucket.take(120, want, 1000), 1000);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, resetAt: 61_000 });
  });

  it('a small limit is counted one hit per round trip', async () => {
    const { spendHit } = await isolate();
    const bucket = bucketModel();
    const allowed = [];
    for (let i = 0; i < 7; i++) allowed.push((await spendHit('k', 5, async (want) => bucket.take(5, want, 0), 0)).allowed);
    expect(allowed).toEqual([true, true, true, true, true, false, false]);
    expect(bucket.takes).toBe(7);
  });

  it('a lease ends with its window', async () => {
    const { spendHit } = await isolate();
    const bucket = bucketModel(60_000);
    await spendHit('k', 120, async (want) => bucket.take(120, want, 0), 0);
    expect(bucket.takes).toBe(1);
    const later = await spendHit('k', 120, async (want) => bucket.take(120, want, 60_000), 60_000);
    expect(bucket.takes).toBe(2);
    expect(later).toMatchObject({ allowed: true, remaining: 119, resetAt: 120_000 });
  });

  it('concurrent requests of one isolate keep every hit they took', async () => {
    const { spendHit } = await isolate();
    const bucket = bucketModel();
    const results = await Promise.all(Array.from({ length: 3 }, () => spendHit('k', 120, async (want) => bucket.take(120, want, 0), 0)));
    expect(results.every((r) => r.allowed)).toBe(true);
    expect(bucket.counted()).toBe(18);
    // 15 hits held: the next 15 requests need no round trip.
    for (let i = 0; i < 15; i++) await spendHit('k', 120, async (want) => bucket.take(120, want, 0), 0);
    expect(bucket.takes).toBe(3);
  });

  it('many isolates on one bucket never exceed the limit, and are refused early by at most a lease each', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 400 }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 600 }), async (limit, order) => {
        const isolates: LeaseModule[] = [];
        for (let i = 0; i < 4; i++) isolates.push(await isolate());
        const bucket = bucketModel();
        let allowed = 0;
        let firstRefusalAt: number | null = null;
        for (const [n, which] of order.entries()) {
          const r = await isolates[which]!.spendHit('k', limit, async (want) => bucket.take(limit, want, 5), 5);
          if (r.allowed) allowed += 1;
          else firstRefusalAt ??= n;
        }
        expect(allowed).toBeLessThanOrEqual(limit);
        expect(bucket.counted()).toBeLessThanOrEqual(limit);
        if (firstRefusalAt !== null) expect(firstRefusalAt).toBeGreaterThanOrEqual(limit - 4 * (isolates[0]!.leaseSize(limit) - 1));
      }),
      { numRuns: 60 },
    );
  });
});

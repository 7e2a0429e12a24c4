// Per-key rate limits (after authentication) and the per-IP limit on failed authentication.
// Counters live in RateLimiter Durable Objects, so limits hold across isolates; an isolate takes
// per-key hits a few at a time (security/rate-lease.ts). Responses carry
// RateLimit-Limit / -Remaining / -Reset; refusals are 429 with Retry-After.
import { redact } from '../../shared/redact.ts';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { clientIp } from '../lib/client-ip.ts';
import { audit } from '../lib/audit.ts';
import { limitFor, routeClass } from '../security/rate-limit-policy.ts';
import type { RateLimitResult } from '../security/rate-limiter.ts';
import { forgetClean, isKnownClean, rememberClean } from '../security/clean-addresses.ts';
import { spendHit } from '../security/rate-lease.ts';

function limiter(c: Context<AppEnv>, bucket: string) {
  const ns = c.env.RATE_LIMITER;
  return ns.get(ns.idFromName(bucket));
}

function setHeaders(c: Context<AppEnv>, r: RateLimitResult) {
  c.header('RateLimit-Limit', String(r.limit));
  c.header('RateLimit-Remaining', String(r.remaining));
  c.header('RateLimit-Reset', String(Math.max(0, Math.ceil((r.resetAt - Date.now()) / 1000))));
}

function tooMany(c: Context<AppEnv>, r: RateLimitResult, code: string, message: string): never {
  const retryAfter = Math.max(1, Math.ceil((r.resetAt - Date.now()) / 1000));
  throw new ApiError(429, code, message, { retry_after_seconds: retryAfter }, {
    'Retry-After': String(retryAfter),
    'RateLimit-Limit': String(r.limit),
    'RateLimit-Remaining': '0',
    'RateLimit-Reset': String(retryAfter),
  });
}

export const rateLimitByKey = createMiddleware<AppEnv>(async (c, next) => {
  const caller = c.get('caller');
  if (!caller) return next(); // public routes and signed links
  const config = c.get('config');
  const cls = routeClass(c.req.method, c.req.path);
  const bucket = `key:${caller.id}:${cls}`;
  const limit = limitFor(config, cls);
  const windowMs = config.rateLimits.windowSeconds * 1000;
  const r = await spendHit(bucket, limit, (want) => limiter(c, bucket).take(limit, windowMs, want));
  if (!r.allowed) tooMany(c, r, 'rate_limited', 'Too many requests for this API key; retry after the window resets.');
  setHeaders(c, r);
  await next();
});

/**
 * Bucket for failed authentication attempts from the caller's IP. An address this isolate just saw
 * with no failures skips the check for a moment (security/clean-addresses.ts).
 */
export function authFailureLimiter(c: Context<AppEnv>) {
  const config = c.get('config');
  const address = `authfail:${clientIp(c) ?? 'unknown'}`;
  const limit = config.rateLimits.authFailuresPerIp;
  const windowMs = config.rateLimits.windowSeconds * 1000;
  return {
    async assertNotBlocked(): Promise<void> {
      if (isKnownClean(address)) return;
      const r = await limiter(c, address).peek(limit, windowMs);
      if (r.allowed && r.remaining === r.limit) rememberClean(address, r.resetAt);
      if (!r.allowed) {
        c.executionCtx.waitUntil(audit(c, { action: 'auth.blocked', outcome: 'denied', details: { path: redact(c.req.path) } }).catch(() => {}));
        tooMany(c, r, 'too_many_auth_failures', 'Too many failed authentication attempts from this address.');
      }
    },
    async recordFailure(): Promise<void> {
      forgetClean(address);
      await limiter(c, address).take(limit, windowMs, 1);
    },
  };
}

// CORS only for the exact origins in CORS_ORIGINS (none by default, never `*`). Requests from other
// origins get no CORS headers, so browsers refuse to expose the responses.
import { cors } from 'hono/cors';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../context.ts';

export const corsForConfiguredOrigins = createMiddleware<AppEnv>(async (c, next) => {
  const allowed = c.get('config').corsOrigins;
  if (allowed.length === 0) return next();
  return cors({
    origin: (origin) => (allowed.includes(origin) ? origin : null),
    allowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
    allowHeaders: ['Authorization', 'X-API-Key', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
    exposeHeaders: ['X-Request-Id', 'Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Idempotent-Replayed'],
    maxAge: 600,
    credentials: false,
  })(c, next);
});

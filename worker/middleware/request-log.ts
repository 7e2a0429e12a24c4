// One structured log line per request: method, path (never the query string, which can hold
// signed tokens), status, duration, request id and key id, plus what the route set in `logFields`
// (an accepted fax: its id, status, masked number, pages, backend). Goes through the redacting logger.
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../context.ts';
import { log } from '../lib/log.ts';

export const requestLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now();
  try {
    await next();
  } finally {
    log('info', 'request', {
      ...c.get('logFields'),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Date.now() - started,
      request_id: c.get('requestId'),
      key_id: c.get('caller')?.id ?? null,
    });
  }
});

// First middleware of every request: request id (a sane incoming X-Request-Id is kept), parsed
// config, and the service bundle, closed after the response is sent.
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../context.ts';
import { loadConfig } from '../config.ts';
import { randomId } from '../lib/crypto.ts';
import { createServices } from '../services/services.ts';

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const incoming = c.req.header('x-request-id');
  const requestId = incoming && SANE_REQUEST_ID.test(incoming) ? incoming : `req_${randomId(20)}`;
  c.set('requestId', requestId);
  const config = loadConfig(c.env);
  c.set('config', config);
  const services = createServices(c.env, config);
  c.set('services', services);
  try {
    await next();
  } finally {
    c.executionCtx.waitUntil(services.close().catch(() => {}));
    if (!c.res.headers.has('x-request-id') && !isImmutable(c.res)) c.res.headers.set('x-request-id', requestId);
  }
});

/** Responses from Durable Objects (WebSocket upgrades) have immutable headers. */
function isImmutable(res: Response): boolean {
  return res.status === 101 || res.webSocket != null;
}

// Refuses to serve with an unsafe or incomplete configuration: every request except GET /health
// (liveness) and GET /health/ready (whose `config` check then fails with the same names) gets 503
// `config_invalid` listing the problems by variable name (never values). Also refuses plain-http
// requests but GET /health when HTTPS is enforced (production), so secrets never travel in clear text.
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';

const LOCALHOST = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

export const configGate = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.path === '/health') return next();
  const config = c.get('config');
  // /health/ready reports configuration problems itself (its `config` check); HTTPS still applies.
  if (config.problems.length > 0 && c.req.path !== '/health/ready') {
    throw new ApiError(503, 'config_invalid', 'The server configuration is invalid; an operator must fix it.', {
      problems: config.problems,
    });
  }
  if (config.enforceHttps) {
    const url = new URL(c.req.url);
    const proto = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
    const https = url.protocol === 'https:' || proto === 'https';
    const localDev = config.environment === 'development' && LOCALHOST.test(url.hostname);
    if (!https && !localDev) throw new ApiError(403, 'https_required', 'Use HTTPS: plain-http requests are refused.');
  }
  await next();
});

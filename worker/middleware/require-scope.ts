// Per-route authorisation: the caller's key must hold the scope, else 403 naming the scope.
import { redact } from '../../shared/redact.ts';
import { createMiddleware } from 'hono/factory';
import type { Scope } from '../auth/scopes.ts';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { audit } from '../lib/audit.ts';

export const requireScope = (scope: Scope) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const caller = c.get('caller');
    if (!caller) throw new ApiError(401, 'missing_api_key', 'This route needs an API key.');
    if (!caller.scopes.has(scope)) {
      c.executionCtx.waitUntil(
        audit(c, { action: 'auth.scope_denied', outcome: 'denied', details: { required_scope: scope, path: redact(c.req.path) } }).catch(() => {}),
      );
      throw new ApiError(403, 'insufficient_scope', `This API key lacks the '${scope}' scope.`, { required_scope: scope });
    }
    await next();
  });

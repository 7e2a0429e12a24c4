// Not-found handler that knows the routes: a path that exists under other methods answers 405
// `method_not_allowed` with `Allow`, anything else 404 `not_found`. The table comes from the app's
// own route list, so it cannot drift from what is registered.
import type { Hono, NotFoundHandler } from 'hono';
import type { AppEnv } from '../context.ts';

export function notFoundOrMethodNotAllowed(app: Hono<AppEnv>): NotFoundHandler<AppEnv> {
  let table: Array<{ pattern: RegExp; method: string }> | undefined;
  const routes = () =>
    (table ??= app.routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => ({ method: r.method, pattern: new RegExp(`^${r.path.replace(/\/+$/, '').replace(/:[A-Za-z_]+(\{[^}]*\})?/g, '[^/]+').replace(/\*/g, '.*') || ''}/?$`) })));
  return (c) => {
    const path = c.req.path.replace(/\/+$/, '');
    const allowed = [...new Set(routes().filter((r) => r.pattern.test(path) || (path === '' && r.pattern.test('/'))).map((r) => r.method))];
    if (allowed.length > 0 && !allowed.includes(c.req.method)) {
      if (allowed.includes('GET') && !allowed.includes('HEAD')) allowed.push('HEAD');
      return c.json(
        { error: { code: 'method_not_allowed', message: `${c.req.method} is not allowed here; use ${allowed.join(', ')}.`, details: { allow: allowed }, request_id: c.get('requestId') } },
        405,
        { allow: allowed.join(', ') },
      );
    }
    return c.json({ error: { code: 'not_found', message: `No route for ${c.req.method} ${c.req.path}`, request_id: c.get('requestId') } }, 404);
  };
}

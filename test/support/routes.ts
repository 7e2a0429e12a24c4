// The routes the real Hono app registers (method + path, middleware entries skipped), for tests that
// must hold every route to a rule (authentication, security headers).
import { createApp } from '../../worker/app.ts';

export interface RegisteredRoute {
  method: string;
  path: string;
}

export function registeredRoutes(): RegisteredRoute[] {
  const seen = new Set<string>();
  const out: RegisteredRoute[] = [];
  for (const r of createApp().routes) {
    if (r.method === 'ALL') continue; // app.use() middleware entries
    const key = `${r.method} ${r.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ method: r.method, path: r.path });
  }
  return out;
}

/** The API's routes: every registered route but the admin console's pages (/console, its own auth). */
export function apiRoutes(): RegisteredRoute[] {
  return registeredRoutes().filter((r) => !isConsole(r.path));
}

/** The admin console's pages and forms. */
export function consoleRoutes(): RegisteredRoute[] {
  return registeredRoutes().filter((r) => isConsole(r.path));
}

const isConsole = (path: string) => path === '/console' || path.startsWith('/console/');

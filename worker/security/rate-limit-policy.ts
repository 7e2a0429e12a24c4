// Which limit applies to a request: the per-key default (MAX_REQUESTS_PER_MINUTE) unless the route
// has its own override (sending, inbound list, inbound get). Each route class counts separately.
import type { Config } from '../config.ts';

export type RouteClass = 'default' | 'send' | 'inbound_list' | 'inbound_get';

export function routeClass(method: string, path: string): RouteClass {
  if (method === 'POST' && (path === '/fax' || path === '/fax/')) return 'send';
  if (method === 'GET' && (path === '/inbound' || path === '/inbound/')) return 'inbound_list';
  if (method === 'GET' && /^\/inbound\/[^/]+(\/pdf)?$/.test(path)) return 'inbound_get';
  return 'default';
}

export function limitFor(config: Config, cls: RouteClass): number {
  const l = config.rateLimits;
  return { default: l.perKey, send: l.send, inbound_list: l.inboundList, inbound_get: l.inboundGet }[cls];
}

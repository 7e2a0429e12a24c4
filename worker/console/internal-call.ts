// The console acts through the REST API: each page and form calls the route it mirrors with
// app.fetch, so validation, scopes, rate limits, audit and PHI rules are the API's own. The
// caller travels in a WeakMap keyed by the Request object, which only this process can create:
// no header, so nothing a client sends can claim it.
import type { Context, Hono } from 'hono';
import type { AppEnv, Caller } from '../context.ts';

const CALLERS = new WeakMap<Request, Caller>();

export function internalCaller(request: Request): Caller | undefined {
  return CALLERS.get(request);
}

export interface ApiAnswer<T = any> {
  status: number;
  ok: boolean;
  body: T;
  response: Response;
}

export type CallApi = <T = any>(method: string, path: string, body?: unknown, extraHeaders?: Record<string, string>) => Promise<ApiAnswer<T>>;

/** A function that calls the API as `caller`, from inside the request `c`. */
export function apiCaller(c: Context<AppEnv>, app: () => Hono<AppEnv>, caller: Caller): CallApi {
  const origin = new URL(c.req.url).origin;
  return async (method, path, body, extraHeaders) => {
    const headers = new Headers({ ...extraHeaders, 'x-request-id': c.get('requestId') });
    for (const name of ['cf-connecting-ip', 'x-forwarded-proto']) {
      const value = c.req.header(name);
      if (value) headers.set(name, value);
    }
    let payload: BodyInit | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers.set('content-type', 'application/json');
      payload = JSON.stringify(body);
    }
    const request = new Request(`${origin}${path}`, { method, headers, body: payload });
    CALLERS.set(request, caller);
    const response = await app().fetch(request, c.env, c.executionCtx);
    const type = response.headers.get('content-type') ?? '';
    const parsed = type.includes('application/json') ? await response.clone().json().catch(() => null) : null;
    return { status: response.status, ok: response.ok, body: parsed as any, response };
  };
}

// The Hono environment shared by every route: bindings, parsed config, injected services and
// the authenticated caller. Routes read services from the context, never from module globals.
import type { Scope } from './auth/scopes.ts';
import type { Config } from './config.ts';
import type { Env } from './env.ts';
import type { Services } from './services/services.ts';

export interface Caller {
  kind: 'api_key' | 'bootstrap' | 'anonymous';
  /** Key id for audit trails ('bootstrap' / 'anonymous' for the special callers). */
  id: string;
  owner: string;
  /** The key's default site for SIP jobs, if any. */
  site?: string | null;
  /** The key's backend (routing per tenant); null: FAX_BACKEND. */
  backend?: string | null;
  scopes: ReadonlySet<Scope>;
  isAdmin: boolean;
}

export interface AppEnv {
  Bindings: Env;
  Variables: {
    config: Config;
    services: Services;
    caller: Caller;
    requestId: string;
    /** What the route adds to the request's one log line (request-log.ts): ids, masked numbers, counts. */
    logFields?: Record<string, unknown>;
  };
}

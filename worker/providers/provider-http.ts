// Calls to a cloud provider's API, retried safely: a network error, a timeout, 5xx and 429 are
// transient and retried with backoff (honouring Retry-After, capped), anything else is the answer.
// A call that may have reached the provider (network error or timeout after sending, 5xx) is
// reported as `uncertain`, so a submit is reconciled by lookup before it is ever sent again.

export class ProviderError extends Error {
  readonly status: number | null;
  /** The provider may have acted on the request (its answer was lost or was a 5xx). */
  readonly uncertain: boolean;
  readonly detail: string;
  constructor(provider: string, status: number | null, uncertain: boolean, detail: string) {
    super(`${provider}: ${status === null ? 'unreachable' : `HTTP ${status}`}`);
    this.name = 'ProviderError';
    this.status = status;
    this.uncertain = uncertain;
    this.detail = detail;
  }
}

export interface RetryOptions {
  provider: string;
  /** Total tries (1 = no retry). */
  tries?: number;
  baseDelayMs?: number;
  /** Longest wait between tries, Retry-After included. */
  maxDelayMs?: number;
  timeoutMs?: number;
  /** Whether the request may be repeated as is (false for a submit: it is reconciled first). */
  idempotent: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function retryAfterMs(res: Response): number | null {
  const v = res.headers.get('retry-after');
  if (!v) return null;
  const s = Number(v);
  if (Number.isFinite(s)) return s * 1000;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : null;
}

/**
 * Sends `build()` (a fresh Request each try) until a definite answer. Returns any response that is
 * not transient (2xx and 4xx other than 429); throws ProviderError once the tries are spent, or at
 * the first uncertain failure of a non-idempotent request.
 */
export async function providerFetch(build: () => Request, opts: RetryOptions): Promise<Response> {
  const tries = opts.tries ?? 3;
  const base = opts.baseDelayMs ?? 250;
  const maxDelay = opts.maxDelayMs ?? 3000;
  let last: ProviderError | null = null;
  for (let i = 0; i < tries; i++) {
    if (i > 0) await sleep(Math.min(maxDelay, base * 2 ** (i - 1) * (0.75 + Math.random() * 0.5)));
    let res: Response;
    try {
      res = await fetch(build(), { signal: AbortSignal.timeout(opts.timeoutMs ?? 20_000) });
    } catch (err) {
      last = new ProviderError(opts.provider, null, true, (err as Error).name);
      if (!opts.idempotent) throw last;
      continue;
    }
    if (res.status === 429) {
      await res.body?.cancel();
      last = new ProviderError(opts.provider, 429, false, 'rate limited');
      const wait = retryAfterMs(res);
      if (wait !== null && wait > maxDelay) throw last;
      if (wait !== null && i + 1 < tries) await sleep(wait);
      continue;
    }
    if (res.status >= 500) {
      await res.body?.cancel();
      last = new ProviderError(opts.provider, res.status, true, `HTTP ${res.status}`);
      if (!opts.idempotent) throw last;
      continue;
    }
    return res;
  }
  throw last ?? new ProviderError(opts.provider, null, true, 'no try made');
}

export function basicAuth(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return `Basic ${btoa(bin)}`;
}

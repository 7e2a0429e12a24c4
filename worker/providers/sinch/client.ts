// Sinch Fax API v3 over HTTP: send (multipart, one fax per number, our attempt as a label), read,
// list by number (to find an attempt whose submit answer was lost), cancel, download. Auth is an
// OAuth2 client-credentials token (cached per isolate, token-cache.ts) or HTTP Basic key auth.
import type { SinchConfig } from '../provider-config.ts';
import { basicAuth, ProviderError, providerFetch } from '../provider-http.ts';
import { dropSinchToken, sinchToken } from './token-cache.ts';

export interface SinchFax {
  id: string;
  direction?: 'OUTBOUND' | 'INBOUND';
  from?: string | null;
  to?: string | null;
  numberOfPages?: number | null;
  pagesSentSuccessfully?: number | null;
  status?: 'QUEUED' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILURE';
  createTime?: string | null;
  completedTime?: string | null;
  errorType?: string | null;
  errorCode?: number | string | null;
  errorMessage?: string | null;
  retryCount?: number | null;
  hasFile?: boolean;
  labels?: Record<string, string> | null;
}

export interface SinchSubmit {
  to: string;
  pdf: Uint8Array;
  headerText?: string | null;
  callbackUrl: string;
  labels: Record<string, string>;
}

/** A refusal of the request itself (4xx other than 429): retrying would not help. */
export class SinchRejected extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'SinchRejected';
    this.status = status;
  }
}

export class SinchClient {
  private readonly config: SinchConfig;
  constructor(config: SinchConfig) {
    this.config = config;
  }

  private get base(): string {
    return `${this.config.apiUrl}/v3/projects/${encodeURIComponent(this.config.projectId ?? '')}`;
  }

  private async authorization(): Promise<string> {
    const { keyId = '', keySecret = '' } = this.config;
    if (this.config.auth === 'basic') return basicAuth(keyId, keySecret);
    return `Bearer ${await sinchToken({ authUrl: this.config.authUrl, keyId, keySecret })}`;
  }

  /** One API call; a refused OAuth token is dropped and the call made once more with a fresh one. */
  private async call(method: string, path: string, body: (() => BodyInit) | null, idempotent: boolean, accept = 'application/json'): Promise<Response> {
    for (let i = 0; ; i++) {
      const auth = await this.authorization();
      const res = await providerFetch(() => new Request(`${this.base}${path}`, { method, headers: { authorization: auth, accept }, body: body ? body() : undefined }), { provider: 'sinch', idempotent });
      if (res.status === 401 && this.config.auth === 'oauth' && i === 0) {
        await res.body?.cancel();
        dropSinchToken({ authUrl: this.config.authUrl, keyId: this.config.keyId ?? '', keySecret: this.config.keySecret ?? '' }, auth.slice(7));
        continue;
      }
      return res;
    }
  }

  private async json<T>(res: Response): Promise<T> {
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ProviderError('sinch', res.status, false, 'response is not JSON');
    }
    if (!res.ok) {
      const message = (parsed as { message?: string; error?: { message?: string } })?.message ?? (parsed as { error?: { message?: string } })?.error?.message ?? `HTTP ${res.status}`;
      throw new SinchRejected(res.status, String(message));
    }
    return parsed as T;
  }

  async send(input: SinchSubmit): Promise<SinchFax> {
    const res = await this.call(
      'POST',
      '/faxes',
      () => {
        const form = new FormData();
        form.set('to', input.to);
        form.set('file', new Blob([input.pdf as Uint8Array<ArrayBuffer>], { type: 'application/pdf' }), 'fax.pdf');
        if (input.headerText) form.set('headerText', input.headerText.slice(0, 50));
        form.set('callbackUrl', input.callbackUrl);
        form.set('callbackUrlContentType', 'multipart/form-data');
        // Our retry policy owns retries: each Sinch fax is one attempt.
        form.set('maxRetries', '0');
        for (const [k, v] of Object.entries(input.labels)) form.set(`labels[${k}]`, v);
        return form;
      },
      false,
    );
    return this.json<SinchFax>(res);
  }

  async get(id: string): Promise<SinchFax | null> {
    const res = await this.call('GET', `/faxes/${encodeURIComponent(id)}`, null, true);
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    return this.json<SinchFax>(res);
  }

  /** Outbound faxes to a number (newest pages first); our labels pick the attempt out. */
  async listTo(to: string): Promise<SinchFax[]> {
    const q = new URLSearchParams({ to, direction: 'OUTBOUND', pageSize: '100' });
    const res = await this.call('GET', `/faxes?${q}`, null, true);
    const body = await this.json<{ faxes?: SinchFax[] }>(res);
    return body.faxes ?? [];
  }

  async cancel(id: string): Promise<void> {
    const res = await this.call('DELETE', `/faxes/${encodeURIComponent(id)}`, null, true);
    if (!res.ok && res.status !== 404) throw new SinchRejected(res.status, `cancel answered HTTP ${res.status}`);
    await res.body?.cancel();
  }

  async file(id: string): Promise<Uint8Array> {
    const res = await this.call('GET', `/faxes/${encodeURIComponent(id)}/file`, null, true, 'application/pdf');
    if (!res.ok) {
      await res.body?.cancel();
      throw new SinchRejected(res.status, `file download answered HTTP ${res.status}`);
    }
    return new Uint8Array(await res.arrayBuffer());
  }
}

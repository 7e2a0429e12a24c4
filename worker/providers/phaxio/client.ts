// Phaxio API v2.1 over HTTP (Basic api_key:api_secret): send a fax (multipart, our job and attempt
// as tags), read one, find ours by tag, cancel, and download a fax's PDF. Every call goes through
// providerFetch (retries, uncertain answers); responses are Phaxio's {success, message, data}.
import type { PhaxioConfig } from '../provider-config.ts';
import { basicAuth, ProviderError, providerFetch } from '../provider-http.ts';

export interface PhaxioRecipient {
  phone_number?: string;
  status?: string;
  retry_count?: number;
  completed_at?: string | null;
  bitrate?: number | null;
  resolution?: number | null;
  error_type?: string | null;
  error_id?: number | null;
  error_message?: string | null;
}

export interface PhaxioFax {
  id: number | string;
  direction?: string;
  num_pages?: number | null;
  status?: string;
  caller_id?: string | null;
  from_number?: string | null;
  to_number?: string | null;
  error_type?: string | null;
  error_message?: string | null;
  error_id?: number | null;
  tags?: Record<string, string> | unknown[];
  created_at?: string | null;
  completed_at?: string | null;
  recipients?: PhaxioRecipient[];
}

export interface PhaxioSubmit {
  to: string;
  pdf: Uint8Array;
  headerText?: string | null;
  callbackUrl: string;
  tags: Record<string, string>;
}

/** A refusal Phaxio gave for the request itself (4xx): retrying it would not help. */
export class PhaxioRejected extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'PhaxioRejected';
    this.status = status;
  }
}

export class PhaxioClient {
  private readonly config: PhaxioConfig;
  constructor(config: PhaxioConfig) {
    this.config = config;
  }

  private request(method: string, path: string, body?: BodyInit): Request {
    const headers = { authorization: basicAuth(this.config.apiKey ?? '', this.config.apiSecret ?? ''), accept: 'application/json' };
    return new Request(`${this.config.apiUrl}${path}`, { method, headers, body });
  }

  private async data<T>(res: Response): Promise<T> {
    const text = await res.text();
    let parsed: { success?: boolean; message?: string; data?: T } = {};
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ProviderError('phaxio', res.status, false, 'response is not JSON');
    }
    if (!res.ok || parsed.success === false) throw new PhaxioRejected(res.status, parsed.message ?? `HTTP ${res.status}`);
    return parsed.data as T;
  }

  /** POST /faxes. Not repeated on an uncertain failure: the caller looks the fax up by tag first. */
  async send(input: PhaxioSubmit): Promise<string> {
    const res = await providerFetch(() => {
      const form = new FormData();
      form.set('to', input.to);
      form.set('file', new Blob([input.pdf as Uint8Array<ArrayBuffer>], { type: 'application/pdf' }), 'fax.pdf');
      if (input.headerText) form.set('header_text', input.headerText.slice(0, 50));
      form.set('callback_url', input.callbackUrl);
      for (const [k, v] of Object.entries(input.tags)) form.set(`tag[${k}]`, v);
      return this.request('POST', '/faxes', form);
    }, { provider: 'phaxio', idempotent: false, tries: 3 });
    const data = await this.data<{ id: number | string }>(res);
    return String(data.id);
  }

  async get(id: string): Promise<PhaxioFax | null> {
    const res = await providerFetch(() => this.request('GET', `/faxes/${encodeURIComponent(id)}`), { provider: 'phaxio', idempotent: true });
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    return this.data<PhaxioFax>(res);
  }

  /** Our faxes carrying tag[name]=value (a submit whose answer was lost is found this way). */
  async findByTag(name: string, value: string): Promise<PhaxioFax[]> {
    const q = new URLSearchParams({ [`tag[${name}]`]: value, direction: 'sent' });
    const res = await providerFetch(() => this.request('GET', `/faxes?${q}`), { provider: 'phaxio', idempotent: true });
    const data = await this.data<PhaxioFax[] | null>(res);
    return Array.isArray(data) ? data : [];
  }

  async cancel(id: string): Promise<void> {
    const res = await providerFetch(() => this.request('POST', `/faxes/${encodeURIComponent(id)}/cancel`), { provider: 'phaxio', idempotent: true });
    await this.data<unknown>(res);
  }

  /** GET /faxes/{id}/file: the fax's PDF (how a received fax is downloaded). */
  async file(id: string): Promise<Uint8Array> {
    const res = await providerFetch(() => this.request('GET', `/faxes/${encodeURIComponent(id)}/file`), { provider: 'phaxio', idempotent: true });
    if (!res.ok) {
      await res.body?.cancel();
      throw new PhaxioRejected(res.status, `file download answered HTTP ${res.status}`);
    }
    return new Uint8Array(await res.arrayBuffer());
  }
}

/** Phaxio sends `tags` as an object; older payloads may carry an empty array. */
export function phaxioTags(fax: PhaxioFax): Record<string, string> {
  return fax.tags && !Array.isArray(fax.tags) ? (fax.tags as Record<string, string>) : {};
}

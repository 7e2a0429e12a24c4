// The typed Faxbot API client: openapi-fetch over the types generated from GET /openapi.json
// (schema.ts, `npm run client:generate`). It needs only fetch, FormData and Blob, so it runs in
// Node ≥ 18, in Workers and in browsers. This module adds the API key, the multipart body of
// POST /fax, and a poll until a fax is final; PDFs download as streams (`parseAs: 'stream'`).
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './schema.ts';

export type FaxbotClient = Client<paths>;
export type FaxJob = components['schemas']['FaxJob'];
export type InboundFax = components['schemas']['InboundFax'];
export type ApiErrorBody = components['schemas']['Error'];

export interface FaxbotClientOptions {
  /** The API's base URL, e.g. https://fax.example.org */
  baseUrl: string;
  /** An API key (fbk_…), sent as a Bearer token. Keep it out of browsers you do not control. */
  apiKey: string;
  /** A fetch of your own (a Worker's service binding, a mock); the global fetch by default. */
  fetch?: (request: Request) => Promise<Response>;
}

export function createFaxbotClient(options: FaxbotClientOptions): FaxbotClient {
  const client = createClient<paths>({ baseUrl: options.baseUrl.replace(/\/+$/, ''), ...(options.fetch ? { fetch: options.fetch } : {}) });
  client.use({
    onRequest({ request }) {
      request.headers.set('Authorization', `Bearer ${options.apiKey}`);
      return request;
    },
  });
  return client;
}

/**
 * A `bodySerializer` for multipart routes (POST /fax): strings become fields, Blobs become file
 * parts (a File keeps its name), undefined fields are left out.
 */
export function multipart(body: Record<string, string | Blob | undefined>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(body)) {
    if (value === undefined) continue;
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, value, value instanceof File ? value.name : name === 'file' ? 'document' : name);
  }
  return form;
}

/** Statuses after which a fax changes no more — except `unknown`, which a late result may still settle. */
export const FINAL_STATUSES: ReadonlySet<FaxJob['status']> = new Set(['success', 'failed', 'canceled', 'unknown']);

/** Polls GET /fax/{id} until the fax is final or `timeoutMs` passes (then returns the last state seen). */
export async function waitForFax(client: FaxbotClient, id: string, opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<FaxJob> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10 * 60_000);
  for (;;) {
    const { data, error, response } = await client.GET('/fax/{id}', { params: { path: { id } } });
    if (!data) throw new Error(`GET /fax/${id} answered ${response.status} ${error?.error.code ?? ''}`.trim());
    if (FINAL_STATUSES.has(data.status) || Date.now() >= deadline) return data;
    await new Promise((resolve) => setTimeout(resolve, opts.intervalMs ?? 2000));
  }
}

// Helpers for API tests: an HTTP client bound to the running worker, key creation and fixtures.
import { inject } from 'vitest';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { checkResponse } from './openapi-check.ts';

export const workerUrl = () => inject('workerUrl');
export const adminKey = () => inject('adminKey');

export async function api(path: string, init: RequestInit & { key?: string | null } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const key = init.key === undefined ? adminKey() : init.key;
  if (key !== null && !headers.has('authorization') && !headers.has('x-api-key')) headers.set('authorization', `Bearer ${key}`);
  const res = await fetch(`${workerUrl()}${path}`, { ...init, headers });
  // Every response an API test sees is held to the OpenAPI contract (JSON bodies only).
  if ((res.headers.get('content-type') ?? '').includes('application/json') && !path.startsWith('/mcp')) {
    const body = await res.clone().json().catch(() => undefined);
    if (body !== undefined) checkResponse(init.method ?? 'GET', path, res.status, body);
  }
  return res;
}

export async function json<T = any>(res: Response): Promise<T> {
  const text = await res.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`expected JSON, got ${res.status}: ${text.slice(0, 200)}`);
  }
}

export interface CreatedKey {
  id: string;
  token: string;
  owner: string;
  scopes: string[];
}

let counter = 0;
export function uniqueOwner(prefix = 'dept'): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter++}`;
}

export async function createKey(scopes: string[], owner = uniqueOwner(), extra: Record<string, unknown> = {}): Promise<CreatedKey> {
  const res = await api('/admin/api-keys', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: `test key ${counter++}`, owner, scopes, ...extra }),
  });
  if (res.status !== 201) throw new Error(`createKey failed: ${res.status} ${await res.text()}`);
  return json<CreatedKey>(res);
}

export async function makePdf(pages = 1, text = 'Faxbot test document'): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < pages; i++) doc.addPage([612, 792]).drawText(`${text} page ${i + 1}`, { x: 72, y: 700, font, size: 14 });
  return doc.save();
}

export function faxForm(fields: { to?: string; file?: Blob | Uint8Array | string; filename?: string; header_text?: string }): FormData {
  const form = new FormData();
  if (fields.to !== undefined) form.set('to', fields.to);
  if (fields.header_text !== undefined) form.set('header_text', fields.header_text);
  if (fields.file !== undefined) {
    const blob = fields.file instanceof Blob ? fields.file : new Blob([new Uint8Array(fields.file as Uint8Array)], { type: 'application/octet-stream' });
    form.set('file', blob, fields.filename ?? 'document');
  }
  return form;
}

export async function sendFax(key: string | null, fields: Parameters<typeof faxForm>[0], headers: Record<string, string> = {}) {
  return api('/fax', { method: 'POST', body: faxForm(fields), headers, key });
}

export async function waitForStatus(id: string, key: string, statuses: string[], timeoutMs = 15_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await json(await api(`/fax/${id}`, { key }));
    if (statuses.includes(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} stayed ${job.status}, expected ${statuses.join('|')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Helpers for the GET /admin/audit tests: query the trail through the API, follow cursors, poll
// for events written in the background (auth failures and scope denials use waitUntil).
import { expect } from 'vitest';
import { api, json } from '../../support/api.ts';

export interface AuditEntry {
  id: number;
  occurred_at: string;
  actor_type: string;
  actor_id: string | null;
  action: string;
  resource_type: string | null;
  resource_id: string | null;
  outcome: 'success' | 'failure' | 'denied';
  client_ip: string | null;
  request_id: string | null;
  details: Record<string, any> | null;
}

export interface AuditPage {
  data: AuditEntry[];
  next_cursor: string | null;
}

export function auditRequest(query: Record<string, string | number> = {}, key?: string | null): Promise<Response> {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
  return api(`/admin/audit${qs ? `?${qs}` : ''}`, { key });
}

/** One page; fails the test unless the answer is 200. Returns the raw text too, for leak checks. */
export async function auditPage(query: Record<string, string | number> = {}, key?: string | null): Promise<AuditPage & { text: string }> {
  const res = await auditRequest(query, key);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return { ...(JSON.parse(text) as AuditPage), text };
}

/** Every page for the query (bounded), following next_cursor. */
export async function auditAll(query: Record<string, string | number> = {}, maxPages = 20): Promise<{ data: AuditEntry[]; text: string }> {
  const data: AuditEntry[] = [];
  let text = '';
  let cursor: string | null = null;
  for (let i = 0; i < maxPages; i++) {
    const page = await auditPage({ limit: 200, ...query, ...(cursor ? { cursor } : {}) });
    data.push(...page.data);
    text += page.text;
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return { data, text };
}

/** Polls until an event matching the query and predicate exists. */
export async function waitForAudit(
  query: Record<string, string | number>,
  predicate: (e: AuditEntry) => boolean = () => true,
  timeoutMs = 8_000,
): Promise<AuditEntry> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { data } = await auditAll(query, 5);
    const hit = data.find(predicate);
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error(`no audit event for ${JSON.stringify(query)} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function errorOf(res: Response): Promise<{ status: number; code: string; body: any }> {
  const body = await json(res);
  return { status: res.status, code: body?.error?.code, body };
}

/** A sane, unique X-Request-Id to find background events by. */
let n = 0;
export const traceId = (label: string) => `audit-${label}-${process.pid}-${Date.now().toString(36)}-${n++}`;

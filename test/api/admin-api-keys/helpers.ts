// Helpers shared by the /admin/api-keys tests: raw admin requests, token probes, audit queries.
import pg from 'pg';
import { inject } from 'vitest';
import { api, json } from '../../support/api.ts';

/** fbk_<16 lowercase alphanumeric id>_<43 base64url secret (32 bytes, unpadded)> */
export const TOKEN_RE = /^fbk_([a-z0-9]{16})_([A-Za-z0-9_-]{43})$/;

export function postJson(path: string, body: unknown, key?: string | null): Promise<Response> {
  return api(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    key,
  });
}

export const createKeyRequest = (body: unknown, key?: string | null) => postJson('/admin/api-keys', body, key);

export function revokeKey(id: string, key?: string | null): Promise<Response> {
  return api(`/admin/api-keys/${id}`, { method: 'DELETE', key });
}

export function rotateKey(id: string, body?: unknown, key?: string | null): Promise<Response> {
  if (body === undefined) return api(`/admin/api-keys/${id}/rotate`, { method: 'POST', key });
  return postJson(`/admin/api-keys/${id}/rotate`, body, key);
}

export async function listKeys(query = '', key?: string | null): Promise<any[]> {
  const res = await api(`/admin/api-keys${query}`, { key });
  if (res.status !== 200) throw new Error(`list failed: ${res.status} ${await res.text()}`);
  return (await json(res)).data;
}

/** Status of GET /fax with the token: 200 for a fax:read key that authenticates, 401 if it does not. */
export async function faxListStatus(token: string, via: 'bearer' | 'x-api-key' = 'bearer'): Promise<number> {
  const headers: Record<string, string> = via === 'bearer' ? { authorization: `Bearer ${token}` } : { 'x-api-key': token };
  const res = await api('/fax', { headers, key: null });
  await res.arrayBuffer();
  return res.status;
}

/** Asserts the `{error:{code,message}}` shape and returns the body. */
export async function errorBody(res: Response): Promise<{ error: { code: string; message: string; details?: any; request_id?: string } }> {
  const body = await json(res);
  if (!body || typeof body.error !== 'object' || typeof body.error.code !== 'string' || typeof body.error.message !== 'string') {
    throw new Error(`not an error body (${res.status}): ${JSON.stringify(body)}`);
  }
  return body;
}

export async function withDb<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface AuditRow {
  action: string;
  resource_type: string | null;
  resource_id: string | null;
  actor_type: string;
  actor_id: string | null;
  outcome: string;
  request_id: string | null;
  details: unknown;
}

export function auditEventsFor(resourceId: string): Promise<AuditRow[]> {
  return withDb(async (db) => {
    const { rows } = await db.query<AuditRow>(
      `select action, resource_type, resource_id, actor_type, actor_id, outcome, request_id, details
         from audit_events where resource_id = $1 order by id`,
      [resourceId],
    );
    return rows;
  });
}

/** Polls until `check` returns a truthy value or the deadline passes. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 5_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A syntactically valid token for the same key id but a different secret. */
export function tamperSecret(token: string): string {
  const m = TOKEN_RE.exec(token);
  if (!m) throw new Error(`not a token: ${token}`);
  const secret = m[2]!;
  const flipped = (secret[0] === 'A' ? 'B' : 'A') + secret.slice(1);
  return `fbk_${m[1]}_${flipped}`;
}

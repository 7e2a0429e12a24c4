// Test helpers for the cloud providers: drive the fake Phaxio and Sinch servers over their control
// HTTP API, create keys routed to a provider, pick unique destination numbers, and read the rows a
// provider's reports produced (attempts, events, audit) straight from the database.
import { inject } from 'vitest';
import pg from 'pg';
import { api, createKey, uniqueOwner } from './api.ts';

export const providers = () => inject('providers');

export async function control<T = any>(provider: 'phaxio' | 'sinch', path: string, body?: unknown): Promise<T> {
  const base = providers()[provider].controlUrl;
  const res = await fetch(`${base}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`fake ${provider} control ${path}: ${res.status} ${text.slice(0, 200)}`);
  return (text ? JSON.parse(text) : null) as T;
}

export const scenario = (provider: 'phaxio' | 'sinch', number: string, s: Record<string, unknown>) => control(provider, '/scenarios', { number, scenario: s });

let seq = 0;
/** A destination no other test uses (one call at a time per number is enforced deployment-wide). */
export function freshNumber(): string {
  const n = (process.pid * 7919 + Date.now() + seq++ * 104_729) % 10_000_000;
  return `+1212${String(n).padStart(7, '0')}`;
}

export async function providerKey(backend: 'phaxio' | 'sinch', scopes = ['fax:send', 'fax:read'], owner = uniqueOwner(backend)) {
  return createKey(scopes, owner, { backend });
}

export async function sql<T = any>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export async function eventually<T>(fn: () => Promise<T | undefined | null | false>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Maps a number to an owner (PUT /admin/inbound-numbers/:number). */
export async function mapNumber(to: string, owner: string): Promise<void> {
  const res = await api(`/admin/inbound-numbers/${encodeURIComponent(to)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ owner }) });
  if (res.status !== 200) throw new Error(`mapping ${owner}: ${res.status}`);
}

// Helpers for tests that act as an agent against the main test worker: create agents (admin API)
// and upload inbound faxes with an agent token.
import { api, json, makePdf, workerUrl } from './api.ts';

export async function createTestAgent(opts: { name?: string; site?: string; maxChannels?: number } = {}) {
  const res = await api('/admin/agents', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: opts.name ?? 'test agent', ...(opts.site ? { site: opts.site } : {}), max_channels: opts.maxChannels ?? 2 }),
  });
  if (res.status !== 201) throw new Error(`createTestAgent: ${res.status} ${await res.text()}`);
  return json<{ id: string; token: string; token_id: string }>(res);
}

export async function uploadInbound(
  token: string | null,
  fields: { uniqueid: string; from?: string; to?: string; pages?: number; received_at?: string; file?: Uint8Array },
) {
  const form = new FormData();
  form.set('uniqueid', fields.uniqueid);
  if (fields.from) form.set('from', fields.from);
  if (fields.to) form.set('to', fields.to);
  form.set('pages', String(fields.pages ?? 1));
  form.set('received_at', fields.received_at ?? new Date().toISOString());
  form.set('file', new Blob([new Uint8Array(fields.file ?? (await makePdf(1, 'Inbound referral')))]), 'fax.pdf');
  return fetch(`${workerUrl()}/agent/inbound`, { method: 'POST', body: form, headers: token ? { authorization: `Bearer ${token}` } : {} });
}

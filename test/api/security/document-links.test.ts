// A response never carries more than the caller's scopes allow: on every route that returns a fax
// job or a received fax, each combination of scopes gets a signed document link exactly when it
// holds the document's read scope (fax:read, inbound:read). Routes a combination may not call are
// 403 and carry nothing.
import { describe, expect, it } from 'vitest';
import { api, createKey, faxForm, json, makePdf, uniqueOwner } from '../../support/api.ts';
import { createTestAgent, uploadInbound } from '../../support/agents.ts';

/** Every subset of `scopes` that is not empty. */
const subsets = (scopes: string[]) =>
  Array.from({ length: 2 ** scopes.length - 1 }, (_, n) => scopes.filter((_, i) => (n + 1) & (1 << i)));

const links = (body: unknown) => JSON.stringify(body).match(/\/(fax|inbound)\/[a-z0-9_]+\/pdf\?[^"]*/g) ?? [];

describe('document links follow the read scopes', () => {
  it('fax routes: POST /fax, GET /fax, GET /fax/:id, POST /fax/:id/cancel, POST /fax/:id/resend', async () => {
    const owner = uniqueOwner('links');
    const full = await createKey(['fax:send', 'fax:read'], owner);
    const job = await json(await api('/fax', { method: 'POST', key: full.token, body: faxForm({ to: '+15555550140', file: await makePdf(1) }) }));
    for (const scopes of subsets(['fax:send', 'fax:read', 'inbound:list', 'inbound:read'])) {
      const key = await createKey(scopes, owner);
      const calls: Array<[string, RequestInit]> = [
        ['/fax', { method: 'POST', body: faxForm({ to: '+15555550141', file: await makePdf(1) }) }],
        ['/fax', {}],
        [`/fax/${job.id}`, {}],
        [`/fax/${job.id}/cancel`, { method: 'POST' }],
        [`/fax/${job.id}/resend`, { method: 'POST' }],
      ];
      for (const [path, init] of calls) {
        const res = await api(path, { ...init, key: key.token });
        const body = await json(res);
        const what = `${init.method ?? 'GET'} ${path} with ${scopes.join(',')}`;
        expect(res.status, what).toBeLessThan(500);
        if (res.status >= 400) expect(links(body), what).toEqual([]);
        else if (scopes.includes('fax:read')) expect(links(body).length, what).toBeGreaterThan(0);
        else expect(links(body), what).toEqual([]);
      }
    }
  });

  it('inbound routes: GET /inbound, GET /inbound/:id', async () => {
    const owner = uniqueOwner('links-in');
    const to = `+1555555${String(3000 + (Date.now() % 6000)).slice(-4)}`;
    const mapped = await api(`/admin/inbound-numbers/${encodeURIComponent(to)}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ owner }) });
    expect(mapped.status).toBe(200);
    const agent = await createTestAgent();
    const fax = await json(await uploadInbound(agent.token, { uniqueid: `1700000001.${process.pid}${Date.now() % 100000}`, to }));
    for (const scopes of subsets(['inbound:list', 'inbound:read', 'fax:read'])) {
      const key = await createKey(scopes, owner);
      for (const path of ['/inbound', `/inbound/${fax.id}`]) {
        const res = await api(path, { key: key.token });
        const body = await json(res);
        const what = `GET ${path} with ${scopes.join(',')}`;
        if (res.status >= 400) expect(links(body), what).toEqual([]);
        else if (scopes.includes('inbound:read')) expect(links(body).length, what).toBeGreaterThan(0);
        else expect(links(body), what).toEqual([]);
      }
    }
  });
});

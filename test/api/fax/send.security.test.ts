import { describe, expect, it } from 'vitest';
import { createKey, json, makePdf, sendFax } from '../../support/api.ts';

describe('POST /fax (security)', () => {
  it('needs a key', async () => {
    const res = await sendFax(null, { to: '+15555550100', file: await makePdf(1) });
    expect(res.status).toBe(401);
    expect((await json(res)).error.code).toBe('missing_api_key');
  });

  it('needs the fax:send scope', async () => {
    const key = await createKey(['fax:read']);
    const res = await sendFax(key.token, { to: '+15555550100', file: await makePdf(1) });
    expect(res.status).toBe(403);
    expect((await json(res)).error).toMatchObject({ code: 'insufficient_scope', details: { required_scope: 'fax:send' } });
  });

  it('rejects an invalid key before reading the upload', async () => {
    const res = await sendFax('fbk_aaaaaaaaaaaaaaaa_' + 'A'.repeat(43), { to: '+15555550100', file: await makePdf(1) });
    expect(res.status).toBe(401);
    expect((await json(res)).error.code).toBe('invalid_api_key');
  });

  it('scopes Idempotency-Keys per owner: another tenant with the same key gets its own job', async () => {
    const a = await createKey(['fax:send']);
    const b = await createKey(['fax:send']);
    const headers = { 'idempotency-key': `shared-${Date.now()}` };
    const pdf = await makePdf(1);
    const ja = await json(await sendFax(a.token, { to: '+15555550100', file: pdf }, headers));
    const jb = await json(await sendFax(b.token, { to: '+15555550100', file: pdf }, headers));
    expect(ja.id).not.toBe(jb.id);
    expect(jb.owner).toBe(b.owner);
  });
});

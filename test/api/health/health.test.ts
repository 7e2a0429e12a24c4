import { describe, expect, it } from 'vitest';
import { api, json } from '../../support/api.ts';

describe('GET /health', () => {
  it('answers without a key and without touching dependencies', async () => {
    const res = await api('/health', { key: null });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ status: 'ok' });
  });
});

describe('GET /health/ready', () => {
  it('reports database, storage and backend ready', async () => {
    const res = await api('/health/ready', { key: null });
    const body = await json(res);
    expect(body.checks).toMatchObject({ database: { ok: true }, storage: { ok: true }, backend: { ok: true }, config: { ok: true } });
    expect(res.status).toBe(200);
    expect(body.backend).toBe('sandbox');
  });
});

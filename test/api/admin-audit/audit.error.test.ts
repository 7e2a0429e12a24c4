// GET /admin/audit (errors): every malformed query parameter is a 400 `invalid_request` naming the
// field, never a 500 and never silently ignored.
import { describe, expect, it } from 'vitest';
import { api } from '../../support/api.ts';
import { auditPage, auditRequest, errorOf } from './helpers.ts';

describe('GET /admin/audit (errors)', () => {
  it.each([
    ['limit=0', { limit: '0' }, 'limit'],
    ['limit=201', { limit: '201' }, 'limit'],
    ['limit=-5', { limit: '-5' }, 'limit'],
    ['limit=2.5', { limit: '2.5' }, 'limit'],
    ['limit=abc', { limit: 'abc' }, 'limit'],
    ['outcome=maybe', { outcome: 'maybe' }, 'outcome'],
    ['outcome=SUCCESS', { outcome: 'SUCCESS' }, 'outcome'],
    ['since=yesterday', { since: 'yesterday' }, 'since'],
    ['since=2024-01-01 (no time)', { since: '2024-01-01' }, 'since'],
    ['until=2024-13-01T00:00:00Z', { until: '2024-13-01T00:00:00Z' }, 'until'],
    ['until=epoch number', { until: '1700000000' }, 'until'],
    ['cursor=abc', { cursor: 'abc' }, 'cursor'],
    ['cursor=-1', { cursor: '-1' }, 'cursor'],
    ['cursor=1.5', { cursor: '1.5' }, 'cursor'],
    ['cursor of 19 digits', { cursor: '9'.repeat(19) }, 'cursor'],
    ['action of 101 characters', { action: 'a'.repeat(101) }, 'action'],
    ['actor_id of 101 characters', { actor_id: 'a'.repeat(101) }, 'actor_id'],
    ['resource_id of 101 characters', { resource_id: 'a'.repeat(101) }, 'resource_id'],
  ])('%s -> 400 invalid_request naming the field', async (_label, query, field) => {
    const res = await auditRequest(query);
    const { status, code, body } = await errorOf(res);
    expect({ status, code }).toEqual({ status: 400, code: 'invalid_request' });
    expect(body.error.details.problems.map((p: { field: string }) => p.field)).toContain(field);
    expect(body.error.request_id).toBe(res.headers.get('x-request-id'));
    expect(JSON.stringify(body)).not.toMatch(/\.(ts|js):\d+/);
  });

  it('reports every bad field at once', async () => {
    const { status, body } = await errorOf(await auditRequest({ limit: '0', outcome: 'x', since: 'y' }));
    expect(status).toBe(400);
    expect(body.error.details.problems.map((p: { field: string }) => p.field).sort()).toEqual(['limit', 'outcome', 'since']);
  });

  it('a repeated parameter does not crash the route', async () => {
    const dup = await api('/admin/audit?limit=5&limit=6&outcome=success&outcome=denied');
    expect(dup.status).toBeLessThan(500);
    await dup.arrayBuffer();
  });

  it('a well-formed cursor beyond the trail returns an empty page', async () => {
    const page = await auditPage({ cursor: '1' });
    expect(page.data).toEqual([]);
    expect(page.next_cursor).toBeNull();
  });

  it('since after until is not an error: the result is empty', async () => {
    const page = await auditPage({ since: '2030-01-02T00:00:00Z', until: '2030-01-01T00:00:00Z' });
    expect(page.data).toEqual([]);
  });

  it('only GET exists: POST, DELETE and PUT are 405 with Allow', async () => {
    for (const method of ['POST', 'DELETE', 'PUT']) {
      const res = await api('/admin/audit', { method, headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(res.headers.get('allow')).toBe('GET, HEAD');
      const { status, code } = await errorOf(res);
      expect({ method, status, code }).toEqual({ method, status: 405, code: 'method_not_allowed' });
    }
  });
});

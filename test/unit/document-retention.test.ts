// Retention's batch loop with fakes (worker/services/retention-batches.ts): a backlog far past one
// batch is drained, a spent budget is reported and the next run carries on, failed deletes are never
// marked; and the S3 DeleteObjects body and answer (worker/services/s3-multi-delete.ts).
import { describe, expect, it } from 'vitest';
import { drain, type RetentionSource } from '../../worker/services/retention-batches.ts';
import { deleteObjectsBody, parseDeleteResult, type DeleteManyResult } from '../../worker/services/s3-multi-delete.ts';

interface FakeDoc {
  id: string;
  key: string;
  due: boolean;
  marked: number;
}

function fakeTable(name: string, due: number, notDue: number) {
  const docs: FakeDoc[] = [];
  for (let i = 0; i < due + notDue; i++) {
    const id = `${name}_${String(i).padStart(6, '0')}`;
    docs.push({ id, key: `${name}/${id}/document.pdf`, due: i < due, marked: 0 });
  }
  const source: RetentionSource = {
    name,
    async due(limit, skip) {
      const skipped = new Set(skip);
      return docs.filter((d) => d.due && d.marked === 0 && !skipped.has(d.id)).slice(0, limit).map(({ id, key }) => ({ id, key }));
    },
    async mark(ids) {
      const wanted = new Set(ids);
      let n = 0;
      for (const d of docs) if (wanted.has(d.id) && d.marked++ === 0) n++;
      return n;
    },
  };
  return { docs, source };
}

/** S3 stand-in: every key is deleted unless it is in `failing` (or everything fails). */
function fakeStore(failing: Set<string> = new Set(), down = false) {
  const store = { requests: 0, removed: new Set<string>() };
  const remove = async (keys: string[]): Promise<DeleteManyResult> => {
    store.requests++;
    expect(keys.length).toBeLessThanOrEqual(1000);
    if (down) return { deleted: [], failed: keys.map((key) => ({ key, code: 'HTTP 503' })) };
    const failed = keys.filter((k) => failing.has(k)).map((key) => ({ key, code: 'AccessDenied' }));
    const deleted = keys.filter((k) => !failing.has(k));
    for (const k of deleted) store.removed.add(k);
    return { deleted, failed };
  };
  return { store, remove };
}

const roomy = { batchSize: 1000, maxBatches: 200, deadline: Number.POSITIVE_INFINITY };

describe('retention batch loop', () => {
  it('drains a backlog of thousands in batches of 1000 and leaves what is not due', async () => {
    const out = fakeTable('outbound', 3000, 40);
    const inb = fakeTable('inbound', 1000, 10);
    const { store, remove } = fakeStore();
    const r = await drain([out.source, inb.source], remove, roomy);
    expect(r).toMatchObject({ complete: true, stopped: null, tallies: { outbound: { deleted: 3000, failed: 0 }, inbound: { deleted: 1000, failed: 0 } } });
    expect(r.batches).toBe(3 + 1);
    expect(store.removed.size).toBe(4000);
    const wrong = [...out.docs, ...inb.docs].filter((d) => d.marked !== (d.due ? 1 : 0) || store.removed.has(d.key) !== d.due);
    expect(wrong).toEqual([]);
  });

  it('says when the batch budget is spent, and the next run carries on', async () => {
    const out = fakeTable('outbound', 2500, 0);
    const inb = fakeTable('inbound', 2500, 0);
    const { remove } = fakeStore();
    const first = await drain([out.source, inb.source], remove, { ...roomy, maxBatches: 3 });
    expect(first).toMatchObject({ complete: false, stopped: 'budget', batches: 3 });
    // Turns between the sources: one backlog does not starve the other.
    expect(first.tallies).toEqual({ outbound: { deleted: 2000, failed: 0 }, inbound: { deleted: 1000, failed: 0 } });
    const second = await drain([out.source, inb.source], remove, roomy);
    expect(second).toMatchObject({ complete: true, stopped: null, tallies: { outbound: { deleted: 500 }, inbound: { deleted: 1500 } } });
    expect([...out.docs, ...inb.docs].every((d) => d.marked === 1)).toBe(true);
  });

  it('starts no batch after the deadline', async () => {
    const out = fakeTable('outbound', 5000, 0);
    const { store, remove } = fakeStore();
    let clock = 0;
    const r = await drain([out.source], async (keys) => ((clock += 1000), remove(keys)), { ...roomy, deadline: 2500 }, () => clock);
    expect(r).toMatchObject({ complete: false, stopped: 'budget', batches: 3, tallies: { outbound: { deleted: 3000 } } });
    expect(store.requests).toBe(3);
  });

  it('never marks a document whose delete failed, and goes on with the others', async () => {
    const out = fakeTable('outbound', 2500, 0);
    const failing = new Set([out.docs[5]!.key, out.docs[1500]!.key]);
    const { remove } = fakeStore(failing);
    const r = await drain([out.source], remove, roomy);
    expect(r).toMatchObject({ complete: true, stopped: null, tallies: { outbound: { deleted: 2498, failed: 2 } }, failureCodes: { AccessDenied: 2 } });
    expect(out.docs.filter((d) => d.marked === 0).map((d) => d.key).sort()).toEqual([...failing].sort());
    // Each failed document was tried once in this run, not again and again.
    expect(r.batches).toBe(3);
    // Storage fixed: the next run deletes them.
    const again = await drain([out.source], fakeStore().remove, roomy);
    expect(again.tallies.outbound).toEqual({ deleted: 2, failed: 0 });
  });

  it('stops when storage deletes nothing of a full batch, marking nothing', async () => {
    const out = fakeTable('outbound', 5000, 0);
    const { store, remove } = fakeStore(new Set(), true);
    const r = await drain([out.source], remove, roomy);
    expect(r).toMatchObject({ complete: false, stopped: 'storage', batches: 1, tallies: { outbound: { deleted: 0, failed: 1000 } }, failureCodes: { 'HTTP 503': 1000 } });
    expect(store.requests).toBe(1);
    expect(out.docs.every((d) => d.marked === 0)).toBe(true);
  });

  it('does nothing when nothing is due', async () => {
    const out = fakeTable('outbound', 0, 20);
    const { store, remove } = fakeStore();
    expect(await drain([out.source], remove, roomy)).toMatchObject({ complete: true, batches: 0, tallies: { outbound: { deleted: 0, failed: 0 } } });
    expect(store.requests).toBe(0);
  });
});

describe('S3 DeleteObjects', () => {
  it('builds a verbose request with escaped keys and refuses more than 1000', () => {
    const body = deleteObjectsBody(['outbound/a/document.pdf', 'odd/<&>"\'.pdf']);
    expect(body).toContain('<Quiet>false</Quiet>');
    expect(body).toContain('<Object><Key>outbound/a/document.pdf</Key></Object>');
    expect(body).toContain('<Key>odd/&lt;&amp;&gt;&quot;&apos;.pdf</Key>');
    expect(() => deleteObjectsBody([])).toThrow(RangeError);
    expect(() => deleteObjectsBody(Array.from({ length: 1001 }, (_, i) => `k${i}`))).toThrow(RangeError);
  });

  it('counts a key as deleted only when the answer lists it under Deleted', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
      <DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
        <Deleted><Key>a</Key></Deleted>
        <Deleted><Key>odd/&lt;&amp;&gt;.pdf</Key><VersionId>v1</VersionId></Deleted>
        <Error><Key>b</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>
      </DeleteResult>`;
    expect(parseDeleteResult(xml, ['a', 'odd/<&>.pdf', 'b', 'c'])).toEqual({
      deleted: ['a', 'odd/<&>.pdf'],
      failed: [
        { key: 'b', code: 'AccessDenied' },
        { key: 'c', code: 'NotInResponse' },
      ],
    });
    expect(parseDeleteResult('<DeleteResult/>', ['a'])).toEqual({ deleted: [], failed: [{ key: 'a', code: 'NotInResponse' }] });
  });
});

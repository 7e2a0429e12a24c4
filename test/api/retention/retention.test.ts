// The retention cron: documents past ARTIFACT_RETENTION_DAYS / INBOUND_RETENTION_DAYS are deleted
// from S3 while their rows stay; a backlog of thousands goes in one run; audit events past
// AUDIT_RETENTION_DAYS are pruned; the audit table refuses updates and early deletes in the database.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { api, json, makePdf, sendFax, workerUrl } from '../../support/api.ts';
import { createTestAgent, uploadInbound } from '../../support/agents.ts';
import { S3DocumentStore } from '../../../worker/services/s3-document-store.ts';
import { listKeys, seedObjects } from '../../support/s3-bulk.ts';

let db: pg.Client;
beforeAll(async () => {
  db = new pg.Client({ connectionString: inject('databaseUrl') });
  await db.connect();
});
afterAll(async () => db?.end());

const store = () => new S3DocumentStore({ ...inject('s3'), region: 'us-east-1' });

describe('retention cron', () => {
  it('deletes old documents but keeps their rows, and prunes old audit events', async () => {
    const fresh = await json(await sendFax(inject('adminKey'), { to: '+15555550502', file: await makePdf(1) }));
    const old = await json(await sendFax(inject('adminKey'), { to: '+15555550503', file: await makePdf(1) }));
    await db.query(`update fax_jobs set status = 'success', completed_at = now() - interval '40 days' where id = $1`, [old.id]);
    const agent = await createTestAgent();
    const inbound = await json(await uploadInbound(agent.token, { uniqueid: `ret.${Date.now()}`, received_at: new Date(Date.now() - 40 * 86400_000).toISOString() }));
    const audit = await db.query(`insert into audit_events (actor_type, action, outcome, occurred_at) values ('system', 'retention.test', 'success', now() - interval '400 days') returning id`);
    const oldKey = (await db.query('select document_key from fax_jobs where id = $1', [old.id])).rows[0].document_key;
    expect(await store().get(oldKey)).not.toBeNull();

    const res = await fetch(`${workerUrl()}/cdn-cgi/handler/scheduled?cron=17+*+*+*+*`);
    expect(res.status).toBe(200);

    expect(await store().get(oldKey)).toBeNull();
    const oldRow = (await db.query('select document_deleted_at, status from fax_jobs where id = $1', [old.id])).rows[0];
    expect(oldRow.document_deleted_at).not.toBeNull();
    expect(oldRow.status).toBe('success');
    const gone = await api(`/fax/${old.id}/pdf`);
    expect(gone.status).toBe(404);
    expect((await json(gone)).error.code).toBe('document_not_found');
    expect((await api(`/fax/${fresh.id}/pdf`)).status).toBe(200);
    expect((await json(await api(`/fax/${old.id}`))).pdf_url).toBeNull();
    const inRow = (await db.query('select document_deleted_at from inbound_faxes where id = $1', [inbound.id])).rows[0];
    expect(inRow.document_deleted_at).not.toBeNull();
    expect((await api(`/inbound/${inbound.id}/pdf`)).status).toBe(404);
    expect((await db.query('select 1 from audit_events where id = $1', [audit.rows[0].id])).rowCount).toBe(0);
  });

  it('keeps the audit trail append-only in the database', async () => {
    const row = await db.query(`insert into audit_events (actor_type, action, outcome) values ('system', 'append.test', 'success') returning id`);
    await expect(db.query(`update audit_events set action = 'tampered' where id = $1`, [row.rows[0].id])).rejects.toThrow(/append-only/);
    await expect(db.query('delete from audit_events where id = $1', [row.rows[0].id])).rejects.toThrow(/cannot be deleted/);
  });
});

const runRetention = async () => expect((await fetch(`${workerUrl()}/cdn-cgi/handler/scheduled?cron=17+*+*+*+*`)).status).toBe(200);

describe('retention of a backlog', () => {
  // Retention takes each document's key from its row, so the backlog's keys are spread over 50
  // directories, each with a `keep.pdf` no row refers to (s3rver needs both, see s3-bulk.ts).
  // 4,000 objects deleted and 4,000 rows marked and audited by the worker on PGlite: on a loaded
  // 2-core machine this takes well over the default 30 s, hence 180 s (no timing is asserted).
  it('deletes 3000 outbound and 1000 inbound due documents in one run, and nothing that is not due', { timeout: 180_000 }, async () => {
    const run = `bk${Date.now().toString(36)}`;
    const owner = `retention-${run}`;
    const prefix = `retention-backlog/${run}/`;
    const key = (id: string, i: string) => `'${prefix}' || (${i} % 50) || '/' || ${id} || '.pdf'`;
    // Due: finished/received 40 days ago (retention is 30 days). Not due: one hour short of 30
    // days, and scheduled jobs that never finished (no completed_at), however old.
    await db.query(
      `insert into fax_jobs (id, owner, api_key_id, to_number, status, backend, source_type, document_key, document_sha256, document_bytes, pages, completed_at, created_at)
       select id, $2, 'key_backlog', '+15555550199', (array['success','failed','canceled','unknown'])[1 + i % 4], 'sandbox', 'pdf', ${key('id', 'i')},
              repeat('0', 64), 9, 1, now() - interval '40 days' - make_interval(secs => i), now() - interval '41 days'
       from generate_series(1, 3000) i, lateral (select 'fax_' || $1 || 'd' || i as id) k`,
      [run, owner],
    );
    await db.query(
      `insert into fax_jobs (id, owner, api_key_id, to_number, status, backend, source_type, document_key, document_sha256, document_bytes, pages, completed_at, send_at, wake_at, created_at)
       select id, $2, 'key_backlog', '+15555550199', case when i <= 20 then 'success' else 'scheduled' end, 'sandbox', 'pdf', ${key('id', 'i')},
              repeat('0', 64), 9, 1, case when i <= 20 then now() - interval '30 days' + interval '1 hour' end,
              case when i > 20 then now() + interval '300 days' end, case when i > 20 then now() + interval '300 days' end, now() - interval '60 days'
       from generate_series(1, 30) i, lateral (select 'fax_' || $1 || 'n' || i as id) k`,
      [run, owner],
    );
    await db.query(
      `insert into inbound_faxes (id, owner, agent_id, uniqueid, pages, received_at, document_key, document_sha256, document_bytes)
       select id, $2, 'agent_backlog', $1 || '.' || i, 1,
              case when i <= 1000 then now() - interval '40 days' - make_interval(secs => i) else now() - interval '30 days' + interval '1 hour' end,
              ${key('id', 'i')}, repeat('0', 64), 9
       from generate_series(1, 1010) i, lateral (select 'inb_' || $1 || case when i <= 1000 then 'd' else 'n' end || i as id) k`,
      [run, owner],
    );
    const rows = await db.query(`select document_key as key from fax_jobs where owner = $1 union all select document_key from inbound_faxes where owner = $1`, [owner]);
    const keeps = Array.from({ length: 50 }, (_, b) => `${prefix}${b}/keep.pdf`);
    const notDue = rows.rows.map((r) => r.key as string).filter((k) => k.includes(`_${run}n`));
    expect(rows.rowCount).toBe(3000 + 30 + 1010);
    expect(notDue).toHaveLength(40);
    await seedObjects([...rows.rows.map((r) => r.key as string), ...keeps]);
    expect((await listKeys(prefix)).length).toBe(4040 + 50);

    await runRetention();

    // S3 keeps exactly the documents that are not due (and the objects no row refers to).
    expect((await listKeys(prefix)).sort()).toEqual([...notDue, ...keeps].sort());
    // Every row stays; exactly the due ones are marked, each with one audit event.
    const marked = await db.query(
      `select 'fax ' || substr(id, 5 + length($2), 1) as kind, count(*)::int as n, count(document_deleted_at)::int as deleted from fax_jobs where owner = $1 group by 1
       union all select 'inb ' || substr(id, 5 + length($2), 1), count(*)::int, count(document_deleted_at)::int from inbound_faxes where owner = $1 group by 1 order by 1`,
      [owner, run],
    );
    expect(marked.rows).toEqual([
      { kind: 'fax d', n: 3000, deleted: 3000 },
      { kind: 'fax n', n: 30, deleted: 0 },
      { kind: 'inb d', n: 1000, deleted: 1000 },
      { kind: 'inb n', n: 10, deleted: 0 },
    ]);
    const audited = await db.query(
      `select action, resource_type, actor_type, actor_id, details, count(*)::int as n, count(distinct resource_id)::int as ids,
              count(*) filter (where resource_id like '%' || $1 || 'n%')::int as not_due
       from audit_events where resource_id like '%' || $1 || '%' group by 1, 2, 3, 4, 5 order by 1`,
      [run],
    );
    const details = { reason: 'retention', retention_days: 30 };
    expect(audited.rows).toEqual([
      { action: 'fax.document.delete', resource_type: 'fax_job', actor_type: 'system', actor_id: 'retention', details, n: 3000, ids: 3000, not_due: 0 },
      { action: 'inbound.document.delete', resource_type: 'inbound_fax', actor_type: 'system', actor_id: 'retention', details, n: 1000, ids: 1000, not_due: 0 },
    ]);

    // The next run finds nothing more to do: no second audit event, the survivors stay.
    await runRetention();
    expect((await db.query(`select count(*)::int as n from audit_events where resource_id like '%' || $1 || '%'`, [run])).rows[0].n).toBe(4000);
    expect((await listKeys(prefix)).length).toBe(40 + 50);
  });
});

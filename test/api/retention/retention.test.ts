// The daily cron: documents past ARTIFACT_RETENTION_DAYS / INBOUND_RETENTION_DAYS are deleted from S3
// while their rows stay; audit events past AUDIT_RETENTION_DAYS are pruned; the audit table refuses
// updates and early deletes at the database level.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { api, json, makePdf, sendFax, workerUrl } from '../../support/api.ts';
import { createTestAgent, uploadInbound } from '../../support/agents.ts';
import { S3DocumentStore } from '../../../worker/services/s3-document-store.ts';

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

    const res = await fetch(`${workerUrl()}/cdn-cgi/handler/scheduled?cron=17+3+*+*+*`);
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

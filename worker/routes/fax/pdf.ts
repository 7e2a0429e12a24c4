// GET /fax/:id/pdf — the job's document, with a fax:read key (own owner) or a short-lived signed
// token from the job's pdf_url. Never cached. The agent fetches every SIP job's document here, on
// the way to the dial, so the object is asked for while the job is looked up: an outbound job's key
// follows from its id (documents/keys.ts), and S3's latency no longer adds to the database's. It is
// served only once the job is visible to the caller and names that key; otherwise it is dropped unread.
import { Hono } from 'hono';
import type { AppEnv } from '../../context.ts';
import { outboundDocumentKey } from '../../documents/keys.ts';
import { ApiError } from '../../errors.ts';
import { audit } from '../../lib/audit.ts';
import { scopeOrSignedLink } from '../../middleware/scope-or-signed-link.ts';
import type { StoredObject } from '../../services/document-store.ts';
import { isJobId, loadVisibleJob } from './load-job.ts';

type Settled = { object: StoredObject | null } | { error: unknown };

const settle = (p: Promise<StoredObject | null>): Promise<Settled> =>
  p.then(
    (object) => ({ object }),
    (error: unknown) => ({ error }),
  );

/** An early answer not used: its body is cancelled, its failure forgotten. */
const discard = (early: Promise<Settled> | undefined): void => {
  void early?.then((r) => ('object' in r ? r.object?.body.cancel() : undefined)).catch(() => undefined);
};

export const faxPdf = new Hono<AppEnv>().get(
  '/:id/pdf',
  scopeOrSignedLink('fax:read'),
  async (c) => {
    const id = c.req.param('id');
    const key = outboundDocumentKey(id);
    const early = isJobId(id) ? settle(c.get('services').documents.get(key)) : undefined;
    let object: StoredObject | null;
    let job;
    try {
      job = await loadVisibleJob(c, id);
    } catch (err) {
      discard(early);
      throw err;
    }
    if (job.documentDeletedAt) {
      discard(early);
      object = null;
    } else if (early && job.documentKey === key) {
      const r = await early;
      if ('error' in r) throw r.error;
      object = r.object;
    } else {
      discard(early);
      object = await c.get('services').documents.get(job.documentKey);
    }
    if (!object) throw new ApiError(404, 'document_not_found', 'The document is no longer stored (retention).');
    try {
      await audit(c, { action: 'fax.document.read', resourceType: 'fax_job', resourceId: job.id, outcome: 'success', details: { via: c.get('caller') ? 'api_key' : 'signed_url' } });
    } catch (err) {
      await object.body.cancel().catch(() => undefined); // no read without its audit row
      throw err;
    }
    return new Response(object.body, {
      headers: {
        'content-type': 'application/pdf',
        'content-disposition': `attachment; filename="${job.id}.pdf"`,
        'cache-control': 'no-store',
        ...(object.size !== undefined ? { 'content-length': String(object.size) } : {}),
      },
    });
  },
);

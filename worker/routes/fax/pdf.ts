// GET /fax/:id/pdf — the job's document, with a fax:read key (own owner) or a short-lived signed
// token from the job's pdf_url. Never cached.
import { Hono } from 'hono';
import type { AppEnv } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import { audit } from '../../lib/audit.ts';
import { scopeOrSignedLink } from '../../middleware/scope-or-signed-link.ts';
import { loadVisibleJob } from './load-job.ts';

export const faxPdf = new Hono<AppEnv>().get(
  '/:id/pdf',
  scopeOrSignedLink('fax:read'),
  async (c) => {
    const job = await loadVisibleJob(c, c.req.param('id'));
    const object = job.documentDeletedAt ? null : await c.get('services').documents.get(job.documentKey);
    if (!object) throw new ApiError(404, 'document_not_found', 'The document is no longer stored (retention).');
    await audit(c, { action: 'fax.document.read', resourceType: 'fax_job', resourceId: job.id, outcome: 'success', details: { via: c.get('caller') ? 'api_key' : 'signed_url' } });
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

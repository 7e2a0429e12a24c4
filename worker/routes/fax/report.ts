// GET /fax/:id/report — the transmission report as a one-page PDF (scope fax:read, no-store).
import { Hono } from 'hono';
import type { AppEnv } from '../../context.ts';
import { audit } from '../../lib/audit.ts';
import { requireScope } from '../../middleware/require-scope.ts';
import { renderTransmissionReport } from '../../documents/transmission-report.ts';
import { loadVisibleJob } from './load-job.ts';

export const faxReport = new Hono<AppEnv>().get('/:id/report', requireScope('fax:read'), async (c) => {
  const job = await loadVisibleJob(c, c.req.param('id'));
  const services = c.get('services');
  const [attempts, object] = await Promise.all([services.jobs.attempts(job.id), job.documentDeletedAt ? null : services.documents.get(job.documentKey)]);
  const document = object ? new Uint8Array(await new Response(object.body).arrayBuffer()) : null;
  const pdf = await renderTransmissionReport(job, attempts, document, { pageSize: c.get('config').pageSize });
  await audit(c, { action: 'fax.report.read', resourceType: 'fax_job', resourceId: job.id, outcome: 'success' });
  return new Response(pdf, {
    headers: {
      'content-type': 'application/pdf',
      'content-disposition': `inline; filename="${job.id}-report.pdf"`,
      'cache-control': 'no-store',
      'content-length': String(pdf.byteLength),
    },
  });
});

// POST /fax/:id/resend — a new job from a finished job's document (scope fax:send), linked by
// `resend_of`. This is how an `unknown` outcome is retried: never automatically, only as an
// explicit human decision. Idempotency-Key works as on POST /fax.
import { Hono } from 'hono';
import type { AppEnv } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import { sha256Hex } from '../../lib/crypto.ts';
import { FINAL_STATUSES } from '../../lifecycle/job-lifecycle.ts';
import { requireScope } from '../../middleware/require-scope.ts';
import { acceptJob, replay } from './accept-job.ts';
import { loadVisibleJob } from './load-job.ts';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export const resendFax = new Hono<AppEnv>().post('/:id/resend', requireScope('fax:send'), async (c) => {
  const { services, caller, config } = { services: c.get('services'), caller: c.get('caller'), config: c.get('config') };
  const idempotencyKey = c.req.header('idempotency-key');
  if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
    throw new ApiError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1-255 printable ASCII characters.');
  }
  const original = await loadVisibleJob(c, c.req.param('id'));
  if (!FINAL_STATUSES.includes(original.status)) {
    throw new ApiError(409, 'not_resendable', `The fax is ${original.status}; only a finished fax can be resent.`, { status: original.status });
  }
  const requestHash = await sha256Hex(`resend\n${original.id}`);
  if (idempotencyKey) {
    const existing = await services.jobs.findByIdempotencyKey(caller.owner, idempotencyKey);
    if (existing) return replay(c, existing, requestHash);
  }
  const object = original.documentDeletedAt ? null : await services.documents.get(original.documentKey);
  if (!object) throw new ApiError(404, 'document_not_found', 'The document is no longer stored (retention); send it again with POST /fax.');
  const pdf = new Uint8Array(await new Response(object.body).arrayBuffer());
  return acceptJob(
    c,
    {
      toNumber: original.toNumber,
      headerText: original.headerText,
      site: original.site,
      pages: original.pages,
      sourceType: original.sourceType,
      hasCover: original.hasCover,
      maxTries: Math.min(original.maxTries, config.retry.maxTries),
      idempotencyKey: idempotencyKey ?? null,
      requestHash,
      resendOf: original.id,
    },
    pdf,
    { resend_of: original.id, original_status: original.status },
  );
});

// The common end of POST /fax and POST /fax/:id/resend: store the document, then accept the job
// through the lifecycle (row, audit and first event in one transaction), then wake the scheduler
// (and, for a job due now, the backend's `wake`: SIP agents' hubs, which lease from the committed row).
// The hand-off to the backend happens from the committed state (the recovery sweep), never here,
// so a request that dies after the commit still has its fax sent, exactly once.
import type { Context } from 'hono';
import type { AppEnv } from '../../context.ts';
import type { FaxJobRow } from '../../db/schema.ts';
import { ApiError } from '../../errors.ts';
import { clientIp } from '../../lib/client-ip.ts';
import { outboundDocumentKey } from '../../documents/keys.ts';
import { randomId, sha256Hex } from '../../lib/crypto.ts';
import { log } from '../../lib/log.ts';
import type { NewFaxJob } from '../../lifecycle/job-lifecycle.ts';
import { schedulerStub } from '../../lifecycle/scheduler-stub.ts';
import { maskNumber } from '../../../shared/phone.ts';
import { presentFaxJob } from '../../views/fax-job.ts';

export type JobFields = Omit<NewFaxJob, 'id' | 'owner' | 'apiKeyId' | 'status' | 'backend' | 'documentKey' | 'documentSha256' | 'documentBytes'>;

/** `pdfSha256`: the document's SHA-256 (hex) when the caller has computed it already. */
export async function acceptJob(c: Context<AppEnv>, fields: JobFields, pdf: Uint8Array, auditExtra: Record<string, unknown> = {}, pdfSha256?: string) {
  const { services, caller } = { services: c.get('services'), caller: c.get('caller') };
  const id = `fax_${randomId(24)}`;
  const documentKey = outboundDocumentKey(id);
  // Routing per tenant: the key's own backend, else the deployment's FAX_BACKEND.
  const backend = caller.backend ?? services.backend.name;
  const documentSha256 = pdfSha256 ?? (await sha256Hex(pdf));
  await services.documents.put(documentKey, pdf, 'application/pdf', documentSha256);
  // If this throws, the document may be left without a job: deleting it is only safe when the
  // transaction surely did not commit, and a lost COMMIT answer cannot tell us that.
  const { job, created } = await services.lifecycle.accept(
      {
        ...fields,
        id,
        owner: caller.owner,
        apiKeyId: caller.id,
        backend,
        documentKey,
        documentSha256,
        documentBytes: pdf.byteLength,
      },
      { type: caller.kind, id: caller.id, requestId: c.get('requestId'), clientIp: clientIp(c) },
      { to: maskNumber(fields.toNumber), pages: fields.pages, source_type: fields.sourceType, backend, ...auditExtra },
  );
  if (!created) {
    c.executionCtx.waitUntil(services.documents.delete(documentKey).catch(() => {}));
    return replay(c, job, fields.requestHash ?? '');
  }
  // On the request's own log line (one line per request: each costs CPU in every process it passes).
  c.set('logFields', { fax_id: job.id, fax_status: job.status, to: maskNumber(job.toNumber), pages: job.pages, backend: job.backend });
  c.executionCtx.waitUntil(
    schedulerStub(c.env)
      .kick(job.wakeAt?.getTime())
      .catch(() => log('warn', 'scheduler kick failed; the sweep heartbeat picks the job up', { fax_id: job.id })),
  );
  const wake = job.status === 'queued' ? services.backendFor(job.backend)?.wake?.(job, pdf) : undefined;
  if (wake) c.executionCtx.waitUntil(wake.catch(() => undefined));
  return c.json(await presentFaxJob(c, job), 202);
}

/** The same Idempotency-Key again: the original job, live, if the request was the same. */
export async function replay(c: Context<AppEnv>, existing: FaxJobRow, requestHash: string) {
  if (existing.requestHash !== requestHash) {
    throw new ApiError(409, 'idempotency_key_reused', 'This Idempotency-Key was already used for a different request.', {
      fax_id: existing.id,
    });
  }
  c.header('idempotent-replayed', 'true');
  return c.json(await presentFaxJob(c, existing, await c.get('services').jobs.attempts(existing.id)), 202);
}

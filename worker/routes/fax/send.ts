// POST /fax — queue a fax (scope fax:send). multipart/form-data with `to`, `file` and optional
// `header_text`. The body is capped while it streams (413), the document type is decided by its
// bytes (PDF or UTF-8 text, else 415), the number must normalise to E.164 (400 invalid_number).
// The job is durable in Postgres before 202 is returned; Idempotency-Key replays the original job.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import { audit } from '../../lib/audit.ts';
import { log } from '../../lib/log.ts';
import { randomId, sha256Hex } from '../../lib/crypto.ts';
import { requireScope } from '../../middleware/require-scope.ts';
import { prepareDocument } from '../../documents/prepare.ts';
import { maskNumber, normalizeNumber } from '../../../shared/phone.ts';
import { presentFaxJob } from '../../views/fax-job.ts';

/** Room for the multipart framing and the small text fields around the file. */
const MULTIPART_OVERHEAD = 64 * 1024;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const HEADER_TEXT_MAX = 100;

export const sendFax = new Hono<AppEnv>().post(
  '/',
  requireScope('fax:send'),
  (c, next) => {
    const max = c.get('config').maxFileSizeBytes;
    return bodyLimit({ maxSize: max + MULTIPART_OVERHEAD, onError: () => tooLarge(max) })(c, next);
  },
  async (c) => {
    const { config, services, caller } = { config: c.get('config'), services: c.get('services'), caller: c.get('caller') };
    const idempotencyKey = c.req.header('idempotency-key');
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new ApiError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1-255 printable ASCII characters.');
    }
    const form = await readForm(c.req.raw);
    const to = field(form, 'to');
    if (to === undefined) throw new ApiError(400, 'missing_field', "The 'to' field is required.", { field: 'to' });
    const number = normalizeNumber(to, config.defaultCountryCode);
    if (!number.ok) throw new ApiError(400, 'invalid_number', `The 'to' number is not a valid fax number: ${number.reason}.`);
    const headerText = field(form, 'header_text')?.trim() || null;
    if (headerText && (headerText.length > HEADER_TEXT_MAX || /[\x00-\x1f\x7f]/.test(headerText))) {
      throw new ApiError(400, 'invalid_header_text', `header_text must be one line of at most ${HEADER_TEXT_MAX} characters.`);
    }
    const site = field(form, 'site')?.trim() || caller.site || null;
    if (site && !/^[\w .:@/-]{1,100}$/.test(site)) throw new ApiError(400, 'invalid_site', 'site must be a site label (letters, digits, spaces, . _ : @ / -).');
    const file = form.get('file');
    if (!(file instanceof File)) throw new ApiError(400, 'missing_file', "Attach the document as the 'file' field.", { field: 'file' });
    if (file.size > config.maxFileSizeBytes) tooLarge(config.maxFileSizeBytes);
    const upload = new Uint8Array(await file.arrayBuffer());
    const uploadSha = await sha256Hex(upload);
    const requestHash = await sha256Hex(`${number.e164}\n${headerText ?? ''}\n${site ?? ''}\n${uploadSha}`);

    if (idempotencyKey) {
      const existing = await services.jobs.findByIdempotencyKey(caller.owner, idempotencyKey);
      if (existing) return replay(c, existing, requestHash);
    }

    const document = await prepareDocument(upload, { pageSize: config.pageSize });
    const id = `fax_${randomId(24)}`;
    const documentKey = `outbound/${id}/document.pdf`;
    await services.documents.put(documentKey, document.pdf, 'application/pdf');
    const job = await services.jobs.insert({
      id,
      owner: caller.owner,
      apiKeyId: caller.id,
      toNumber: number.e164,
      headerText,
      site,
      status: 'queued',
      backend: services.backend.name,
      pages: document.pages,
      sourceType: document.sourceType,
      documentKey,
      documentSha256: await sha256Hex(document.pdf),
      documentBytes: document.pdf.byteLength,
      idempotencyKey: idempotencyKey ?? null,
      requestHash,
    });
    if (!job) {
      // Lost a race with a concurrent request carrying the same Idempotency-Key.
      c.executionCtx.waitUntil(services.documents.delete(documentKey).catch(() => {}));
      const existing = await services.jobs.findByIdempotencyKey(caller.owner, idempotencyKey!);
      if (!existing) throw new Error('idempotent insert conflict without an existing job');
      return replay(c, existing, requestHash);
    }
    await audit(c, {
      action: 'fax.send',
      resourceType: 'fax_job',
      resourceId: job.id,
      outcome: 'success',
      details: { to: maskNumber(job.toNumber), pages: job.pages, source_type: job.sourceType, backend: job.backend },
    });
    log('info', 'fax queued', { fax_id: job.id, to: maskNumber(job.toNumber), pages: job.pages, backend: job.backend });
    try {
      await services.backend.submit(job);
    } catch {
      // The job is durable and queued; a backend that cannot take it now fails it visibly.
      const failed = await services.jobs.transition(job.id, ['queued'], 'failed', { failureReason: 'backend_unavailable' });
      return c.json(await presentFaxJob(c, failed ?? job), 202);
    }
    return c.json(await presentFaxJob(c, job), 202);
  },
);

function tooLarge(maxBytes: number): never {
  throw new ApiError(413, 'file_too_large', `The upload exceeds MAX_FILE_SIZE_MB (${maxBytes / 1024 / 1024} MB).`, {
    max_bytes: maxBytes,
  });
}

async function readForm(req: Request): Promise<FormData> {
  const type = req.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data\b/i.test(type)) {
    throw new ApiError(415, 'unsupported_media_type', 'Send the fax as multipart/form-data with fields to and file.');
  }
  try {
    return await req.formData();
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError(400, 'invalid_multipart', 'The multipart body could not be parsed.');
  }
}

function field(form: FormData, name: string): string | undefined {
  const value = form.get(name);
  return typeof value === 'string' ? value : undefined;
}

async function replay(c: Parameters<typeof presentFaxJob>[0], existing: Parameters<typeof presentFaxJob>[1], requestHash: string) {
  if (existing.requestHash !== requestHash) {
    throw new ApiError(409, 'idempotency_key_reused', 'This Idempotency-Key was already used for a different request.', {
      fax_id: existing.id,
    });
  }
  c.header('idempotent-replayed', 'true');
  return c.json(await presentFaxJob(c, existing), 202);
}

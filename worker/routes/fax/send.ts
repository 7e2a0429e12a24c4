// POST /fax — accept a fax (scope fax:send). multipart/form-data with `to`, `file` and optional
// `header_text`, `site`, `send_at`, `max_tries` and cover fields. The body is capped while it
// streams (413), the document type is decided by its bytes (PDF or UTF-8 text, else 415), the
// number must normalise to E.164 (400 invalid_number). 202 means the job, its audit row and its
// first event are committed and it will be sent; Idempotency-Key replays the original job.
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import { sha256Hex } from '../../lib/crypto.ts';
import { discardUploadForm, readUploadForm, type UploadForm } from '../../lib/multipart-form.ts';
import { discardBuffer } from '../../lib/bytes.ts';
import { requireScope } from '../../middleware/require-scope.ts';
import { prepareDocument } from '../../documents/prepare.ts';
import { hasCover, withCoverPage } from '../../documents/cover-page.ts';
import { normalizeNumber } from '../../../shared/phone.ts';
import { acceptJob, replay } from './accept-job.ts';
import { readSendOptions } from './send-options.ts';

/** Room for the multipart framing and the small text fields around the file. */
const MULTIPART_OVERHEAD = 64 * 1024;
/** More parts than the API has fields (cover fields included) is not a fax upload. */
const MAX_PARTS = 32;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
export const HEADER_TEXT_MAX = 100;

export const sendFax = new Hono<AppEnv>().post(
  '/',
  requireScope('fax:send'),
  async (c, next) => {
    // A declared length over the limit is refused before the body is read; an undeclared one
    // (chunked) is counted by the parser as it streams.
    const max = c.get('config').maxFileSizeBytes;
    if (Number(c.req.header('content-length') ?? 0) > max + MULTIPART_OVERHEAD) tooLarge(max);
    await next();
  },
  async (c) => {
    const idempotencyKey = c.req.header('idempotency-key');
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new ApiError(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1-255 printable ASCII characters.');
    }
    const form = await readForm(c.req.raw, c.get('config').maxFileSizeBytes);
    const made: Uint8Array[] = [];
    try {
      return await sendFromForm(c, form, idempotencyKey, made);
    } finally {
      // The upload (and any PDF made from it) is stored or refused by now: its memory goes back at
      // once rather than at a later garbage collection (peak memory per upload, docs/configuration.md).
      discardUploadForm(form);
      for (const pdf of made) discardBuffer(pdf);
    }
  },
);

/** The fields checked, the document prepared (each PDF it makes goes into `made`), the job accepted. */
async function sendFromForm(c: Context<AppEnv>, form: UploadForm, idempotencyKey: string | undefined, made: Uint8Array[]): Promise<Response> {
  const { config, services, caller } = { config: c.get('config'), services: c.get('services'), caller: c.get('caller') };
  const to = field(form, 'to');
  if (to === undefined) throw new ApiError(400, 'missing_field', "The 'to' field is required.", { field: 'to' });
  const number = normalizeNumber(to, config.defaultCountryCode);
  if (!number.ok) throw new ApiError(400, 'invalid_number', `The 'to' number is not a valid fax number: ${number.reason}.`);
  const headerText = field(form, 'header_text')?.trim() || null;
  if (headerText && (headerText.length > HEADER_TEXT_MAX || !/^[\x20-\x7e]+$/.test(headerText))) {
    // What a fax header line can print: Asterisk's FAXOPT(headerinfo) and fax machines take ASCII.
    throw new ApiError(400, 'invalid_header_text', `header_text must be one line of at most ${HEADER_TEXT_MAX} printable ASCII characters (a fax header cannot print others).`);
  }
  const site = field(form, 'site')?.trim() || caller.site || null;
  if (site && !/^[\w .:@/-]{1,100}$/.test(site)) throw new ApiError(400, 'invalid_site', 'site must be a site label (letters, digits, spaces, . _ : @ / -).');
  const options = readSendOptions((name) => field(form, name), config.retry.maxTries);
  const upload = form.files.get('file');
  if (!upload) throw new ApiError(400, 'missing_file', "Attach the document as the 'file' field.", { field: 'file' });
  const uploadSha = await sha256Hex(upload);
  // Without the newer options the hash keeps its original form, so retries across an upgrade replay.
  const plain = !options.sendAt && options.maxTries === config.retry.maxTries && !hasCover(options.cover);
  const requestHash = await sha256Hex(
    plain ? `${number.e164}\n${headerText ?? ''}\n${site ?? ''}\n${uploadSha}` : JSON.stringify([number.e164, headerText, site, uploadSha, options.sendAt?.toISOString() ?? null, options.maxTries, options.cover]),
  );

  if (idempotencyKey) {
    const existing = await services.jobs.findByIdempotencyKey(caller.owner, idempotencyKey);
    if (existing) return replay(c, existing, requestHash);
  }

  let document = await prepareDocument(upload, { pageSize: config.pageSize });
  made.push(document.pdf);
  const cover = hasCover(options.cover);
  if (document.pages + (cover ? 1 : 0) > config.maxPages) {
    throw new ApiError(422, 'too_many_pages', `The fax would have ${document.pages + (cover ? 1 : 0)} pages; MAX_PAGES is ${config.maxPages}.`, { pages: document.pages + (cover ? 1 : 0), max_pages: config.maxPages });
  }
  if (cover) {
    document = { ...document, ...(await withCoverPage(document.pdf, options.cover, { pageSize: config.pageSize, pages: document.pages })) };
    made.push(document.pdf);
  }
  return acceptJob(
    c,
    {
      toNumber: number.e164,
      headerText,
      site,
      pages: document.pages,
      sourceType: document.sourceType,
      idempotencyKey: idempotencyKey ?? null,
      requestHash,
      sendAt: options.sendAt,
      maxTries: options.maxTries,
      hasCover: cover,
    },
    document.pdf,
    { ...(options.sendAt ? { send_at: options.sendAt.toISOString() } : {}), ...(cover ? { cover: true } : {}) },
    // A PDF stored as uploaded already has its hash.
    document.pdf === upload ? uploadSha : undefined,
  );
}

function tooLarge(maxBytes: number): never {
  throw new ApiError(413, 'file_too_large', `The upload exceeds MAX_FILE_SIZE_MB (${maxBytes / 1024 / 1024} MB).`, {
    max_bytes: maxBytes,
  });
}

async function readForm(req: Request, maxFileBytes: number): Promise<UploadForm> {
  const type = req.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data\b/i.test(type)) {
    throw new ApiError(415, 'unsupported_media_type', 'Send the fax as multipart/form-data with fields to and file.');
  }
  return readUploadForm(req, { maxFileBytes, maxTotalBytes: maxFileBytes + MULTIPART_OVERHEAD, maxParts: MAX_PARTS, onTooLarge: () => tooLarge(maxFileBytes) });
}

function field(form: UploadForm, name: string): string | undefined {
  return form.fields.get(name);
}

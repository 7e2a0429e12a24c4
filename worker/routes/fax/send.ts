// POST /fax — accept a fax (scope fax:send). multipart/form-data with `to`, `file` and optional
// `header_text`, `site`, `send_at`, `max_tries` and cover fields. The body is capped while it
// streams (413), the document type is decided by its bytes (PDF or UTF-8 text, else 415), the
// number must normalise to E.164 (400 invalid_number). 202 means the job, its audit row and its
// first event are committed and it will be sent; Idempotency-Key replays the original job.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import { sha256Hex } from '../../lib/crypto.ts';
import { readFileBytes } from '../../lib/read-file.ts';
import { requireScope } from '../../middleware/require-scope.ts';
import { prepareDocument } from '../../documents/prepare.ts';
import { hasCover, withCoverPage } from '../../documents/cover-page.ts';
import { normalizeNumber } from '../../../shared/phone.ts';
import { acceptJob, replay } from './accept-job.ts';
import { readSendOptions } from './send-options.ts';

/** Room for the multipart framing and the small text fields around the file. */
const MULTIPART_OVERHEAD = 64 * 1024;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
export const HEADER_TEXT_MAX = 100;

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
    rejectDuplicates(form);
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
    const file = form.get('file');
    if (!(file instanceof File)) throw new ApiError(400, 'missing_file', "Attach the document as the 'file' field.", { field: 'file' });
    if (file.size > config.maxFileSizeBytes) tooLarge(config.maxFileSizeBytes);
    const upload = await readFileBytes(file);
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
    const cover = hasCover(options.cover);
    if (document.pages + (cover ? 1 : 0) > config.maxPages) {
      throw new ApiError(422, 'too_many_pages', `The fax would have ${document.pages + (cover ? 1 : 0)} pages; MAX_PAGES is ${config.maxPages}.`, { pages: document.pages + (cover ? 1 : 0), max_pages: config.maxPages });
    }
    if (cover) document = { ...document, ...(await withCoverPage(document.pdf, options.cover, { pageSize: config.pageSize, pages: document.pages })) };
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

/** Every field at most once: with two `to` or two `file` parts, which one was meant? */
function rejectDuplicates(form: FormData): void {
  const seen = new Set<string>();
  for (const [name] of form.entries()) {
    if (seen.has(name)) throw new ApiError(400, 'duplicate_field', `The '${name.slice(0, 40)}' field was sent more than once.`, { field: name.slice(0, 40) });
    seen.add(name);
  }
}

function field(form: FormData, name: string): string | undefined {
  const value = form.get(name);
  return typeof value === 'string' ? value : undefined;
}

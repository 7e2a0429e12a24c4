// POST /callbacks/phaxio — Phaxio's webhook for sent and received faxes (multipart/form-data).
// Verified with X-Phaxio-Signature over the configured public URL (PUBLIC_API_URL + the path and
// query Phaxio called, never the Host header) before anything is read; a bad or missing signature is
// 401, audited and counted like a failed authentication. Then: a sent fax's report goes to the
// lifecycle (idempotent, out-of-order safe), a received fax is stored once. An unknown fax is
// acknowledged and audited. The answer comes as soon as the state change is durable.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import { log } from '../../lib/log.ts';
import { authFailureLimiter } from '../../middleware/rate-limit.ts';
import { signedParts, verifyPhaxioSignature } from '../../providers/phaxio/signature.ts';
import { phaxioTags, type PhaxioFax } from '../../providers/phaxio/client.ts';
import { phaxioState } from '../../providers/phaxio/outcome.ts';
import { PHAXIO_ATTEMPT_TAG, PHAXIO_JOB_TAG } from '../../providers/phaxio/phaxio-api.ts';
import { handleReceived, handleSent, providerAudit } from './handle-report.ts';

/**
 * The URL Phaxio signed: our public base (PUBLIC_API_URL, with its path prefix if it has one),
 * then the path and query exactly as requested (not re-encoded, trailing slash kept).
 */
export function signedUrl(publicApiUrl: string, requestUrl: string): string {
  const base = new URL(publicApiUrl);
  const prefix = base.pathname.replace(/\/+$/, '');
  const afterHost = requestUrl.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '');
  const pathAndQuery = afterHost.startsWith('/') ? afterHost : `/${afterHost}`;
  const rest = prefix && pathAndQuery.startsWith(`${prefix}/`) ? pathAndQuery.slice(prefix.length) : pathAndQuery;
  return `${base.origin}${prefix}${rest}`;
}

export const phaxioCallback = new Hono<AppEnv>().post(
  '/phaxio',
  (c, next) => bodyLimit({ maxSize: c.get('config').maxFileSizeBytes + 256 * 1024, onError: () => { throw new ApiError(413, 'file_too_large', 'The callback exceeds MAX_FILE_SIZE_MB.'); } })(c, next),
  async (c) => {
    const config = c.get('config');
    const phaxio = config.providers.phaxio;
    if (!config.publicApiUrl || (phaxio.verifySignatures && !phaxio.callbackToken)) {
      throw new ApiError(503, 'provider_not_configured', 'Phaxio callbacks need PUBLIC_API_URL and PHAXIO_CALLBACK_TOKEN.', undefined, { 'Retry-After': '60' });
    }
    const failures = authFailureLimiter(c);
    await failures.assertNotBlocked();
    const refuse = async (reason: string): Promise<never> => {
      await failures.recordFailure();
      await providerAudit(c, 'phaxio', { action: 'provider.callback', outcome: 'denied', details: { reason } });
      throw new ApiError(401, 'invalid_signature', 'The X-Phaxio-Signature header does not match this callback.');
    };
    if (phaxio.verifySignatures && !c.req.header('x-phaxio-signature')) await refuse('missing_signature');
    let form: FormData;
    try {
      form = await c.req.raw.formData();
    } catch {
      throw new ApiError(400, 'invalid_multipart', 'Phaxio callbacks are multipart/form-data.');
    }
    if (phaxio.verifySignatures) {
      const parts = await signedParts(form);
      const ok = await verifyPhaxioSignature(phaxio.callbackToken!, { url: signedUrl(config.publicApiUrl, c.req.url), ...parts }, c.req.header('x-phaxio-signature'));
      if (!ok) await refuse('bad_signature');
    }
    const raw = form.get('fax');
    let fax: PhaxioFax;
    try {
      fax = JSON.parse(typeof raw === 'string' ? raw : '') as PhaxioFax;
      if (fax === null || typeof fax !== 'object' || fax.id === undefined) throw new Error('no id');
    } catch {
      await providerAudit(c, 'phaxio', { action: 'provider.callback', outcome: 'failure', details: { reason: 'unreadable_fax_field' } });
      throw new ApiError(400, 'invalid_callback', "The callback's 'fax' field is not a Phaxio fax object.");
    }
    const ref = String(fax.id);
    const direction = String(form.get('direction') ?? fax.direction ?? 'sent');
    const event = String(form.get('event_type') ?? 'fax_completed');
    if (direction === 'received') {
      const file = form.get('file');
      const pdf = file instanceof File ? new Uint8Array(await file.arrayBuffer()) : null;
      const result = await handleReceived(c, {
        provider: 'phaxio',
        ref,
        from: fax.from_number ?? fax.caller_id ?? null,
        to: fax.to_number ?? fax.recipients?.[0]?.phone_number ?? null,
        pages: typeof fax.num_pages === 'number' ? fax.num_pages : null,
        receivedAt: fax.completed_at ? new Date(fax.completed_at) : new Date(),
        pdf,
      });
      return c.json({ received: true, id: result.id, duplicate: !result.created });
    }
    const tags = phaxioTags(fax);
    // In-flight events (transmitting_page) are progress only.
    const state = event === 'fax_completed' || event === 'retry_scheduled' ? phaxioState(fax) : ({ kind: 'pending' } as const);
    const outcome = await handleSent(c, { provider: 'phaxio', ref, jobId: tags[PHAXIO_JOB_TAG] ?? null, attempt: tags[PHAXIO_ATTEMPT_TAG] ?? null, state }, event);
    log('info', 'phaxio callback', { event, outcome, fax_id: tags[PHAXIO_JOB_TAG] ?? null });
    return c.json({ received: true, outcome });
  },
);

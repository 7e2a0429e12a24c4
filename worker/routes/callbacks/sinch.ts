// POST /callbacks/sinch — Sinch's FAX_COMPLETED and INCOMING_FAX callbacks, multipart/form-data
// (fax as a JSON field, the PDF in part `file`) or JSON (the PDF base64 in `file`). Sinch signs
// nothing, so no signature is checked (inventing one would reject every real callback): the callback
// URL carries HTTP Basic credentials, which are required and compared in constant time, and
// SINCH_CALLBACK_ALLOWED_IPS may restrict the source (CF-Connecting-IP).
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import { clientIp } from '../../lib/client-ip.ts';
import { timingSafeEqualString } from '../../lib/crypto.ts';
import { ipAllowed } from '../../lib/ip-allow-list.ts';
import { log } from '../../lib/log.ts';
import { authFailureLimiter } from '../../middleware/rate-limit.ts';
import type { SinchFax } from '../../providers/sinch/client.ts';
import { sinchState } from '../../providers/sinch/outcome.ts';
import { SINCH_ATTEMPT_LABEL, SINCH_JOB_LABEL } from '../../providers/sinch/sinch-api.ts';
import { handleReceived, handleSent, providerAudit } from './handle-report.ts';

function basicCredentials(header: string | undefined): { user: string; password: string } | null {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return null;
  try {
    const bin = atob(m[1]!);
    const text = new TextDecoder().decode(Uint8Array.from(bin, (ch) => ch.charCodeAt(0)));
    const i = text.indexOf(':');
    return i < 0 ? null : { user: text.slice(0, i), password: text.slice(i + 1) };
  } catch {
    return null;
  }
}

const decodeOr = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

interface SinchCallback {
  event: string;
  fax: SinchFax;
  pdf: Uint8Array | null;
}

async function readCallback(req: Request): Promise<SinchCallback | null> {
  const type = req.headers.get('content-type') ?? '';
  try {
    if (type.includes('application/json')) {
      const body = (await req.json()) as { event?: string; fax?: SinchFax; file?: string };
      if (!body?.fax?.id) return null;
      const pdf = typeof body.file === 'string' && body.file ? Uint8Array.from(atob(body.file), (ch) => ch.charCodeAt(0)) : null;
      return { event: String(body.event ?? ''), fax: body.fax, pdf };
    }
    const form = await req.formData();
    const raw = form.get('fax');
    const fax = JSON.parse(typeof raw === 'string' ? raw : '') as SinchFax;
    if (!fax?.id) return null;
    const file = form.get('file');
    return { event: String(form.get('event') ?? ''), fax, pdf: file instanceof File ? new Uint8Array(await file.arrayBuffer()) : null };
  } catch {
    return null;
  }
}

export const sinchCallback = new Hono<AppEnv>().post(
  '/sinch',
  (c, next) => bodyLimit({ maxSize: Math.ceil(c.get('config').maxFileSizeBytes * 1.4) + 256 * 1024, onError: () => { throw new ApiError(413, 'file_too_large', 'The callback exceeds MAX_FILE_SIZE_MB.'); } })(c, next),
  async (c) => {
    const sinch = c.get('config').providers.sinch;
    if (!sinch.callbackUsername || !sinch.callbackPassword) {
      throw new ApiError(503, 'provider_not_configured', 'Sinch callbacks need SINCH_CALLBACK_USERNAME and SINCH_CALLBACK_PASSWORD.', undefined, { 'Retry-After': '60' });
    }
    if (!ipAllowed(clientIp(c), sinch.callbackAllowedIps)) {
      await providerAudit(c, 'sinch', { action: 'provider.callback', outcome: 'denied', details: { reason: 'source_not_allowed' } });
      throw new ApiError(403, 'source_not_allowed', 'This address may not send Sinch callbacks.');
    }
    const failures = authFailureLimiter(c);
    await failures.assertNotBlocked();
    const presented = basicCredentials(c.req.header('authorization'));
    const [userOk, passOk] = presented
      ? await Promise.all([timingSafeEqualString(decodeOr(presented.user), sinch.callbackUsername), timingSafeEqualString(decodeOr(presented.password), sinch.callbackPassword)])
      : [false, false];
    if (!userOk || !passOk) {
      await failures.recordFailure();
      await providerAudit(c, 'sinch', { action: 'provider.callback', outcome: 'denied', details: { reason: presented ? 'bad_credentials' : 'missing_credentials' } });
      throw new ApiError(401, 'invalid_credentials', 'Sinch callbacks must carry the callback credentials (HTTP Basic, embedded in the callback URL).', undefined, { 'WWW-Authenticate': 'Basic realm="faxbot-callbacks"' });
    }
    const callback = await readCallback(c.req.raw);
    if (!callback) {
      await providerAudit(c, 'sinch', { action: 'provider.callback', outcome: 'failure', details: { reason: 'unreadable_callback' } });
      throw new ApiError(400, 'invalid_callback', 'The callback is not a Sinch fax event (multipart with a fax field, or JSON with fax).');
    }
    const { event, fax, pdf } = callback;
    if (event === 'INCOMING_FAX' || fax.direction === 'INBOUND') {
      const result = await handleReceived(c, {
        provider: 'sinch',
        ref: fax.id,
        from: fax.from ?? null,
        to: fax.to ?? null,
        pages: typeof fax.numberOfPages === 'number' ? fax.numberOfPages : null,
        receivedAt: fax.completedTime ? new Date(fax.completedTime) : new Date(),
        pdf,
      });
      return c.json({ received: true, id: result.id, duplicate: !result.created });
    }
    const labels = fax.labels ?? {};
    const state = event === 'FAX_COMPLETED' ? sinchState(fax) : ({ kind: 'pending' } as const);
    const outcome = await handleSent(c, { provider: 'sinch', ref: fax.id, jobId: labels[SINCH_JOB_LABEL] ?? null, attempt: labels[SINCH_ATTEMPT_LABEL] ?? null, state }, event);
    log('info', 'sinch callback', { event, outcome, fax_id: labels[SINCH_JOB_LABEL] ?? null });
    return c.json({ received: true, outcome });
  },
);

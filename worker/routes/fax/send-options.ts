// The optional fields of POST /fax: `send_at` (RFC 3339 with an offset, at most 30 days ahead; a
// past time sends now), `max_tries` (1-5, lowered to the deployment's FAX_MAX_TRIES), and the
// cover sheet's `cover_to`, `cover_from`, `cover_subject`, `cover_message`.
import { ApiError } from '../../errors.ts';
import type { CoverFields } from '../../documents/cover-page.ts';

const MAX_SCHEDULE_MS = 30 * 24 * 3600_000;
export const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
export const COVER_LIMITS = { cover_to: 200, cover_from: 200, cover_subject: 200, cover_message: 3000 } as const;

export interface SendOptions {
  sendAt: Date | null;
  maxTries: number;
  cover: CoverFields;
}

export function readSendOptions(field: (name: string) => string | undefined, deploymentMaxTries: number, now = Date.now()): SendOptions {
  let sendAt: Date | null = null;
  const rawSendAt = field('send_at')?.trim();
  if (rawSendAt) {
    const t = RFC3339.test(rawSendAt) ? Date.parse(rawSendAt) : NaN;
    if (Number.isNaN(t)) throw new ApiError(400, 'invalid_send_at', 'send_at must be an RFC 3339 time with an offset, e.g. 2026-12-24T09:00:00-05:00.');
    if (t - now > MAX_SCHEDULE_MS) throw new ApiError(400, 'invalid_send_at', 'send_at may be at most 30 days ahead.', { max_days: 30 });
    sendAt = new Date(t);
  }
  let maxTries = deploymentMaxTries;
  const rawTries = field('max_tries')?.trim();
  if (rawTries) {
    const n = /^\d+$/.test(rawTries) ? Number(rawTries) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > 5) throw new ApiError(400, 'invalid_max_tries', 'max_tries must be an integer from 1 to 5.');
    maxTries = Math.min(n, deploymentMaxTries);
  }
  const cover: CoverFields = {};
  for (const [name, max] of Object.entries(COVER_LIMITS)) {
    // Multipart form fields carry CRLF line ends; the cover draws plain lines.
    const value = field(name)?.replace(/\r\n?/g, '\n').trim();
    if (!value) continue;
    if (value.length > max) throw new ApiError(400, 'invalid_cover', `${name} must be at most ${max} characters.`, { field: name });
    if (name !== 'cover_message' && /[\x00-\x1f\x7f]/.test(value)) throw new ApiError(400, 'invalid_cover', `${name} must be one line.`, { field: name });
    cover[name.slice('cover_'.length) as keyof CoverFields] = value;
  }
  return { sendAt, maxTries, cover };
}

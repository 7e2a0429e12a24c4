// Scrubs secrets and PHI-prone phone numbers out of free text before it is logged.
// Masks Bearer credentials, Faxbot API/agent tokens (fbk_/fba_), `token=` values in URLs and any 7+
// digit run that could be a phone number.
import { maskNumber } from './mask-number.ts';

// "Bearer <b64token>" anywhere (Authorization headers, dumped request objects, error strings).
const BEARER = /\bBearer\s+[A-Za-z0-9\-._~+/]+=*/gi;

// Faxbot tokens are fbk_<16 lowercase alnum id>_<43 base64url secret> (API) and fba_... (agent).
// Matched loosely (any fbk_/fba_ followed by 16+ token characters) so truncated or malformed tokens are masked too.
const FAXBOT_TOKEN = /(fb[ka])_([A-Za-z0-9]{4})[A-Za-z0-9_-]{12,}/g;

// Credentials in URLs: a signed document link's `token=` (and OAuth-style `access_token=`) query value.
const URL_TOKEN = /([?&](?:access_)?token=)[^&\s"']+/gi;

// Things that look like digit runs but are not phone numbers and are useful in logs: UUIDs and ISO dates.
const UUID = String.raw`(?<![0-9a-f])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![0-9a-f])`;
const ISO_DATE = String.raw`(?<!\d)(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?!\d)`;
// 7+ digits, optionally led by '+' or '(' (or their URL encodings) and separated by up to four of:
// space, tab, NBSP, . - ( ) and their URL encodings (%20, %2D, %28, %29, %2E, +) — so
// `+1 - 555 - 765 - 4399` and `%2B1%20555%20765%204399` in a logged path are masked too.
const SEP = String.raw`(?:[ \t\u00A0.()\-+]|%20|%2[dDeE89])`;
const PHONE = String.raw`(?:[+(]|%2[bB8])?\d(?:${SEP}{0,4}\d){6,}`;
const DIGIT_RUNS = new RegExp(`(${UUID})|(${ISO_DATE})|${PHONE}`, 'gi');

export function redact(text: string): string {
  if (typeof text !== 'string' || text === '') return typeof text === 'string' ? text : '';
  return text
    .replace(BEARER, 'Bearer [redacted]')
    .replace(URL_TOKEN, '$1[redacted]')
    .replace(FAXBOT_TOKEN, (_m, prefix: string, idStart: string) => `${prefix}_${idStart}…[redacted]`)
    .replace(DIGIT_RUNS, (match, uuid: string | undefined, date: string | undefined) =>
      uuid !== undefined || date !== undefined ? match : maskNumber(match),
    );
}

/**
 * Audit details with every string value passed through `redact` (numbers masked, tokens removed),
 * at any depth. Every insert into audit_events goes through this, whatever the caller passed.
 */
export function redactDetails<T>(details: T): T {
  if (typeof details === 'string') return redact(details) as T;
  if (Array.isArray(details)) return details.map(redactDetails) as T;
  if (details && typeof details === 'object' && !(details instanceof Date)) {
    return Object.fromEntries(Object.entries(details).map(([k, v]) => [k, redactDetails(v)])) as T;
  }
  return details;
}

// S3 DeleteObjects (multi-object delete, POST /bucket?delete): the XML request body and the reading
// of the answer. Pure functions, so the parsing is unit-tested without a server. A key counts as
// deleted only when the answer lists it under <Deleted>; everything else (an <Error>, or missing
// from the answer altogether) is a failure, so a document is never marked deleted on a guess.

/** The failure code of a key S3's answer does not mention (an S3 result code, not an HTTP error). */
const NOT_IN_RESPONSE = 'NotInResponse';

/** S3's limit per DeleteObjects request. */
export const MAX_KEYS_PER_DELETE = 1000;

export interface DeleteManyResult {
  deleted: string[];
  failed: { key: string; code: string }[];
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
}

function unescapeXml(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|apos|#(\d+)|#x([0-9a-fA-F]+));/g, (m, name: string, dec?: string, hex?: string) => {
    if (dec) return String.fromCodePoint(Number(dec));
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[name] ?? m;
  });
}

/** Verbose mode (Quiet=false): S3 lists every deleted key, which is what we check against. */
export function deleteObjectsBody(keys: readonly string[]): string {
  if (keys.length === 0 || keys.length > MAX_KEYS_PER_DELETE) throw new RangeError(`DeleteObjects takes 1 to ${MAX_KEYS_PER_DELETE} keys`);
  const objects = keys.map((k) => `<Object><Key>${escapeXml(k)}</Key></Object>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>false</Quiet>${objects}</Delete>`;
}

function elements(xml: string, tag: string): string[] {
  const re = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, 'g');
  return Array.from(xml.matchAll(re), (m) => m[1]!);
}

function field(xml: string, tag: string): string | undefined {
  const value = elements(xml, tag)[0];
  return value === undefined ? undefined : unescapeXml(value);
}

/** Splits the requested keys by the DeleteResult answer. */
export function parseDeleteResult(xml: string, requested: readonly string[]): DeleteManyResult {
  const deleted = new Set(elements(xml, 'Deleted').map((d) => field(d, 'Key')).filter((k) => k !== undefined));
  const errors = new Map(elements(xml, 'Error').map((e) => [field(e, 'Key') ?? '', field(e, 'Code') ?? 'Error'] as const));
  const result: DeleteManyResult = { deleted: [], failed: [] };
  for (const key of new Set(requested)) {
    // An error entry wins over a Deleted entry for the same key (it should never list both).
    if (errors.has(key)) result.failed.push({ key, code: errors.get(key)! });
    else if (deleted.has(key)) result.deleted.push(key);
    else result.failed.push({ key, code: NOT_IN_RESPONSE });
  }
  return result;
}

/** Every key failed with the same code (the request as a whole did not go through). */
export function allFailed(keys: readonly string[], code: string): DeleteManyResult {
  return { deleted: [], failed: [...new Set(keys)].map((key) => ({ key, code })) };
}

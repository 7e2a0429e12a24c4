// Phaxio's callback signature (X-Phaxio-Signature), as its documentation and official libraries
// compute it: the callback URL exactly as Phaxio called it, then every form field sorted by name as
// name + value, then every file part sorted by part name as name + SHA-1 hex of its bytes; HMAC-SHA1
// of that string keyed with the account's callback (webhook) token, lowercase hex. Not an HMAC of the
// raw body, and not keyed with the API secret. Compared in constant time.
import { timingSafeEqualString, toHex } from '../../lib/crypto.ts';

export interface SignedCallback {
  /** The public URL Phaxio called (configured PUBLIC_API_URL + path + query), never a Host header. */
  url: string;
  fields: ReadonlyArray<readonly [string, string]>;
  files: ReadonlyArray<readonly [string, Uint8Array]>;
}

const byName = <T extends readonly [string, unknown]>(a: T, b: T) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** The string Phaxio signs. */
export async function phaxioSignedString(callback: SignedCallback): Promise<string> {
  let out = callback.url;
  for (const [name, value] of [...callback.fields].sort(byName)) out += name + value;
  const files = await Promise.all([...callback.files].sort(byName).map(async ([name, bytes]) => name + toHex(await crypto.subtle.digest('SHA-1', bytes))));
  return out + files.join('');
}

export async function phaxioSignature(token: string, callback: SignedCallback): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(token), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
  return toHex(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(await phaxioSignedString(callback))));
}

/** Whether `presented` is the signature of this callback under `token` (constant time). */
export async function verifyPhaxioSignature(token: string, callback: SignedCallback, presented: string | undefined): Promise<boolean> {
  if (!presented) return false;
  const expected = await phaxioSignature(token, callback);
  return timingSafeEqualString(expected, presented.trim().toLowerCase());
}

/** A multipart callback's text fields and file parts, in the form the signature needs. */
export async function signedParts(form: FormData): Promise<Pick<SignedCallback, 'fields' | 'files'>> {
  const fields: Array<[string, string]> = [];
  const files: Array<[string, Uint8Array]> = [];
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') fields.push([name, value]);
    else files.push([name, new Uint8Array(await value.arrayBuffer())]);
  }
  return { fields, files };
}

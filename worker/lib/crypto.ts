// Small Web Crypto helpers: random identifiers, SHA-256, HMAC and constant-time comparison.
const ALPHANUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Random lowercase alphanumeric string (rejection sampling, no modulo bias). */
export function randomId(length: number): string {
  let out = '';
  while (out.length < length) {
    const bytes = crypto.getRandomValues(new Uint8Array(length * 2));
    for (const b of bytes) {
      if (b < 252 && out.length < length) out += ALPHANUM[b % 36];
    }
  }
  return out;
}

/** Standard base64 (with padding), built in 32 KiB chunks so that no argument list grows with the input. */
export function base64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

export function base64url(bytes: Uint8Array): string {
  return base64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function randomSecret(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  return Array.from(view, (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const input = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return toHex(await crypto.subtle.digest('SHA-256', input));
}

// Imported HMAC keys by secret, for the isolate's life (a CryptoKey is not an I/O object; the
// secrets are the deployment's own, a handful at most).
const hmacKeys = new Map<string, Promise<CryptoKey>>();

export async function hmacSha256(secret: string, message: string): Promise<string> {
  let key = hmacKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    if (hmacKeys.size >= 16) hmacKeys.clear();
    hmacKeys.set(secret, key);
    key.catch(() => hmacKeys.delete(secret));
  }
  return base64url(new Uint8Array(await crypto.subtle.sign('HMAC', await key, new TextEncoder().encode(message))));
}

/**
 * Constant-time string equality: both sides are hashed first so neither length nor content
 * leaks through timing, then compared with the runtime's timingSafeEqual.
 */
export async function timingSafeEqualString(a: string, b: string): Promise<boolean> {
  const enc = new TextEncoder();
  const [ha, hb] = await Promise.all([
    crypto.subtle.digest('SHA-256', enc.encode(a)),
    crypto.subtle.digest('SHA-256', enc.encode(b)),
  ]);
  return crypto.subtle.timingSafeEqual(ha, hb) && a.length === b.length;
}

// Short-lived signed links to a job's document: HMAC-SHA256 over (purpose, id, expiry) with
// PDF_TOKEN_SECRET. Verified in constant time; expired or foreign tokens are rejected.
import { hmacSha256, timingSafeEqualString } from './crypto.ts';

export async function signDocumentToken(secret: string, resourceId: string, expiresAt: number): Promise<string> {
  return hmacSha256(secret, `document:${resourceId}:${expiresAt}`);
}

export async function verifyDocumentToken(
  secret: string,
  resourceId: string,
  token: string,
  expires: string | undefined,
  now = Date.now(),
): Promise<'ok' | 'expired' | 'invalid'> {
  const expiresAt = Number(expires);
  if (!expires || !Number.isSafeInteger(expiresAt)) return 'invalid';
  const expected = await signDocumentToken(secret, resourceId, expiresAt);
  if (!(await timingSafeEqualString(token, expected))) return 'invalid';
  return expiresAt * 1000 > now ? 'ok' : 'expired';
}

export async function documentUrl(
  base: string,
  path: string,
  secret: string,
  resourceId: string,
  ttlMinutes: number,
): Promise<{ url: string; expiresAt: Date }> {
  const expiresAt = Math.floor(Date.now() / 1000) + ttlMinutes * 60;
  const token = await signDocumentToken(secret, resourceId, expiresAt);
  return { url: `${base}${path}?expires=${expiresAt}&token=${token}`, expiresAt: new Date(expiresAt * 1000) };
}

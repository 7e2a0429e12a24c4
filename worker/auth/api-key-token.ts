// API key token format: `fbk_<16-char id>_<43-char secret>`. The prefix lets secret scanners
// recognise leaked keys; the id finds the row; only SHA-256 of the secret is stored.
import { randomId, randomSecret, sha256Hex } from '../lib/crypto.ts';

export const API_KEY_PREFIX = 'fbk_';
const TOKEN_RE = /^fbk_([a-z0-9]{16})_([A-Za-z0-9_-]{43})$/;

export interface ParsedToken {
  id: string;
  secret: string;
}

export function parseApiKeyToken(token: string): ParsedToken | null {
  const m = TOKEN_RE.exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : null;
}

export function newKeyId(): string {
  return randomId(16);
}

export async function issueSecret(id: string): Promise<{ token: string; secretHash: string }> {
  const secret = randomSecret(32);
  return { token: `${API_KEY_PREFIX}${id}_${secret}`, secretHash: await sha256Hex(secret) };
}

/** Shown in listings so operators can tell keys apart without the secret. */
export function displayPrefix(id: string): string {
  return `${API_KEY_PREFIX}${id}_…`;
}

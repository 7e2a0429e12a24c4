// Standard Webhooks v1 (https://www.standardwebhooks.com): secrets are `whsec_` + base64 of random
// bytes; a delivery carries `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`
// = space-separated `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, one per live secret
// (two during a rotation's grace period). Hand-written on WebCrypto rather than the
// `standardwebhooks` package: the spec is these few lines, and WebCrypto's native HMAC costs the
// edge nothing where the package computes SHA-256 in JavaScript. The tests verify our deliveries
// with the package itself.

import { base64 as toBase64 } from '../lib/crypto.ts';

const SECRET_BYTES = 32;

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
}

export function newWebhookSecret(): string {
  return `whsec_${toBase64(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)))}`;
}

async function signOne(secret: string, content: string): Promise<string> {
  const raw = fromBase64(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret);
  const key = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return `v1,${toBase64(new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(content))))}`;
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The three headers for `body`, signed with every secret given (current first). */
export async function signDelivery(secrets: readonly string[], messageId: string, body: string, at = new Date()): Promise<SignedHeaders> {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const signatures = await Promise.all(secrets.map((s) => signOne(s, `${messageId}.${timestamp}.${body}`)));
  return { 'webhook-id': messageId, 'webhook-timestamp': timestamp, 'webhook-signature': signatures.join(' ') };
}

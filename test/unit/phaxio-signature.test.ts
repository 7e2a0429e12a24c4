// Our X-Phaxio-Signature verifier against vectors computed by an independent implementation of
// Phaxio's documented recipe (test/fixtures/phaxio-signature-vectors.py, Python's hmac/hashlib),
// including the classic mistakes (HMAC-SHA256 of the raw body, a URL without its trailing slash),
// which must be rejected.
import { timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { phaxioSignature, verifyPhaxioSignature } from '../../worker/providers/phaxio/signature.ts';

interface Vector {
  name: string;
  source?: string;
  url: string;
  token: string;
  fields: Record<string, string>;
  files?: Array<{ part: string; filename?: string; content_base64: string }>;
  signature: string;
  valid: boolean;
}

// Workers' crypto.subtle.timingSafeEqual (a Cloudflare extension) for this Node test.
const subtle = crypto.subtle as unknown as { timingSafeEqual?: (a: ArrayBuffer, b: ArrayBuffer) => boolean };
subtle.timingSafeEqual ??= (a, b) => timingSafeEqual(new Uint8Array(a), new Uint8Array(b));

const vectors = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/phaxio-signature-vectors.json', import.meta.url)), 'utf8')) as Vector[];
const callback = (v: Vector) => ({
  url: v.url,
  fields: Object.entries(v.fields),
  files: (v.files ?? []).map((f) => [f.part, new Uint8Array(Buffer.from(f.content_base64, 'base64'))] as const),
});

describe('X-Phaxio-Signature', () => {
  it('has valid and invalid vectors to check', () => {
    expect(vectors.filter((v) => v.valid).length).toBeGreaterThanOrEqual(5);
    expect(vectors.filter((v) => !v.valid).length).toBeGreaterThanOrEqual(2);
  });

  it.each(vectors.map((v) => [v.name, v] as const))('%s', async (_name, v) => {
    expect(await verifyPhaxioSignature(v.token, callback(v), v.signature)).toBe(v.valid);
    if (v.valid) expect(await phaxioSignature(v.token, callback(v))).toBe(v.signature);
  });

  it('refuses a missing header and accepts an upper-case hex signature', async () => {
    const v = vectors.find((x) => x.valid)!;
    expect(await verifyPhaxioSignature(v.token, callback(v), undefined)).toBe(false);
    expect(await verifyPhaxioSignature(v.token, callback(v), '')).toBe(false);
    expect(await verifyPhaxioSignature(v.token, callback(v), v.signature.toUpperCase())).toBe(true);
  });
});

// The S3 document store against the signature-checking S3 server: round trip, SSE-KMS headers,
// and proof that the server really verifies SigV4 (a wrong secret is refused).
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { S3DocumentStore, StorageError } from '../../../worker/services/s3-document-store.ts';

const settings = () => ({ ...inject('s3'), region: 'us-east-1' });

describe('S3DocumentStore', () => {
  afterEach(() => vi.restoreAllMocks());

  it('stores, reads back and deletes an object', async () => {
    const store = new S3DocumentStore(settings());
    const body = new TextEncoder().encode('%PDF-1.7 test');
    await store.put('tests/roundtrip.pdf', body, 'application/pdf');
    const got = await store.get('tests/roundtrip.pdf');
    expect(new Uint8Array(await new Response(got!.body).arrayBuffer())).toEqual(body);
    await store.delete('tests/roundtrip.pdf');
    expect(await store.get('tests/roundtrip.pdf')).toBeNull();
  });

  it('is refused by the server when the signature is wrong', async () => {
    const store = new S3DocumentStore({ ...settings(), secretAccessKey: 'not-the-secret' });
    const err = await store.put('tests/forged.pdf', new Uint8Array([1]), 'application/pdf').catch((e) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect(err.status).toBe(403);
    expect(err.message).toContain('SignatureDoesNotMatch');
  });

  it('signs SSE-KMS headers into every PUT when a KMS key is configured', async () => {
    const spy = vi.spyOn(globalThis, 'fetch');
    const store = new S3DocumentStore({ ...settings(), kmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/test' });
    await store.put('tests/kms.pdf', new Uint8Array([1, 2, 3]), 'application/pdf');
    const req = spy.mock.calls[0]![0] as Request;
    expect(req.headers.get('x-amz-server-side-encryption')).toBe('aws:kms');
    expect(req.headers.get('x-amz-server-side-encryption-aws-kms-key-id')).toContain('key/test');
    expect(req.headers.get('authorization')).toMatch(/SignedHeaders=[^,]*x-amz-server-side-encryption/);
  });
});

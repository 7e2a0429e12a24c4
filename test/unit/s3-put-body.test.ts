// The S3 PUT body (worker/services/s3-put-body.ts) and the store's tries with it. In workerd the body
// streams from views into the caller's bytes through FixedLengthStream; here a stand-in with the same
// contract (a TransformStream that must carry exactly its length) plays it. Each try gets a fresh,
// whole stream; a 5xx or 429 is tried again, at most twice, as aws4fetch would.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { putBody } from '../../worker/services/s3-put-body.ts';
import { S3DocumentStore, StorageError } from '../../worker/services/s3-document-store.ts';

class FixedLengthStandIn extends TransformStream<Uint8Array, Uint8Array> {
  constructor(length: number) {
    let seen = 0;
    super({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > length) throw new TypeError('more bytes than the fixed length');
        controller.enqueue(chunk);
      },
      flush() {
        if (seen !== length) throw new TypeError('fewer bytes than the fixed length');
      },
    });
  }
}

async function drain(body: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
  return chunks;
}

const bytesOf = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31) & 0xff);
const store = () => new S3DocumentStore({ endpoint: 'http://s3.test', region: 'us-east-1', bucket: 'docs', accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' });
const SHA = 'a'.repeat(64);

describe('putBody', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('is the bytes themselves where the runtime has no FixedLengthStream, or for a small body', () => {
    const bytes = bytesOf(200_000);
    expect(putBody(bytes)).toBe(bytes);
    vi.stubGlobal('FixedLengthStream', FixedLengthStandIn);
    const small = bytesOf(100_000);
    expect(putBody(small)).toBe(small);
  });

  it('streams views into the bytes, 64 KiB at a time, exactly their length', async () => {
    vi.stubGlobal('FixedLengthStream', FixedLengthStandIn);
    const backing = bytesOf(200_000 + 17);
    const bytes = backing.subarray(17); // a view, as a file part is a view into its request body
    const chunks = await drain(putBody(bytes) as ReadableStream<Uint8Array>);
    expect(chunks.map((c) => c.byteLength)).toEqual([65_536, 65_536, 65_536, 200_000 - 3 * 65_536]);
    expect(chunks.every((c) => c.buffer === backing.buffer)).toBe(true);
    expect(Buffer.concat(chunks).equals(Buffer.from(bytes))).toBe(true);
  });
});

describe('S3DocumentStore.put with a streamed body', () => {
  let bodies: Uint8Array[];
  let statuses: number[];

  beforeEach(() => {
    vi.stubGlobal('FixedLengthStream', FixedLengthStandIn);
    bodies = [];
    vi.stubGlobal('fetch', async (req: Request) => {
      bodies.push(new Uint8Array(await req.arrayBuffer()));
      return new Response(null, { status: statuses.shift() ?? 200 });
    });
  });
  afterEach(() => vi.unstubAllGlobals());

  it('tries a 503 and a 429 again, each time with the whole body', async () => {
    statuses = [503, 429, 200];
    const bytes = bytesOf(150_000);
    await store().put('k.pdf', bytes, 'application/pdf', SHA);
    expect(bodies).toHaveLength(3);
    for (const body of bodies) expect(Buffer.from(body).equals(Buffer.from(bytes))).toBe(true);
  });

  it('gives up after two more tries with a StorageError carrying the status', async () => {
    statuses = [500, 500, 500, 200];
    const err = await store().put('k.pdf', bytesOf(150_000), 'application/pdf', SHA).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).status).toBe(500);
    expect(bodies).toHaveLength(3);
  });

  it('does not try a 4xx again', async () => {
    statuses = [403];
    const err = await store().put('k.pdf', bytesOf(150_000), 'application/pdf', SHA).catch((e: unknown) => e);
    expect((err as StorageError).status).toBe(403);
    expect(bodies).toHaveLength(1);
  });
});

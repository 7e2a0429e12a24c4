// The body of an S3 PUT, sent from the caller's bytes without a copy of them. A Uint8Array given to
// fetch (aws4fetch builds a Request from it) is copied whole into the runtime, and the runtime keeps
// another for the request it sends: with a 10 MB upload that was 2.1x the file in peak memory per
// concurrent POST /fax (scripts/bench/upload-memory.ts, issue 10). A stream of views into the bytes,
// through workerd's FixedLengthStream (so the PUT carries Content-Length, which S3 requires, and not
// chunked encoding), holds no more than the chunk being written. Outside workerd, and for a body
// small enough that its copy costs less than a stream's machinery (a one-page fax), the bytes are sent.
const CHUNK = 64 * 1024;
const STREAM_FROM = 128 * 1024;

type FixedLengthStreamCtor = new (length: number) => TransformStream<Uint8Array, Uint8Array>;

/** A fresh body per attempt (a stream is read once): a stream for a large body where the runtime has one, else the bytes. */
export function putBody(bytes: Uint8Array): ReadableStream<Uint8Array> | Uint8Array {
  const Fixed = (globalThis as { FixedLengthStream?: FixedLengthStreamCtor }).FixedLengthStream;
  if (!Fixed || bytes.byteLength < STREAM_FROM) return bytes;
  let offset = 0;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      const end = Math.min(offset + CHUNK, bytes.byteLength);
      controller.enqueue(bytes.subarray(offset, end));
      offset = end;
      if (offset >= bytes.byteLength) controller.close();
    },
  });
  const fixed = new Fixed(bytes.byteLength);
  // A failed pipe errors the readable side, so the fetch reading it fails, and the caller sees that.
  source.pipeTo(fixed.writable).catch(() => undefined);
  return fixed.readable;
}

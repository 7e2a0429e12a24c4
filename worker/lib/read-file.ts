// An uploaded File's bytes as one JavaScript buffer, copied from the File's stream. Not
// File.arrayBuffer(): workerd backs that buffer with memory V8's collector does not account for, so
// under load the buffers of earlier requests piled up until a collection came by chance (peak RSS
// 13.8x the file size per concurrent 10 MB upload, against 3.5x this way; see
// scripts/bench/upload-memory.ts and docs/benchmarks.md). POST /fax reads its body as it streams
// instead (lib/multipart-form.ts); the agent's inbound upload still goes through FormData and this.

export async function readFileBytes(file: Blob): Promise<Uint8Array> {
  const out = new Uint8Array(file.size);
  let at = 0;
  const reader = file.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (at + value.byteLength > out.length) throw new Error('the file is longer than its size');
    out.set(value, at);
    at += value.byteLength;
  }
  return at === out.length ? out : out.subarray(0, at);
}

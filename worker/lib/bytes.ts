// Byte-string helpers for request bodies and documents (no TextDecoder round trip over binary data).

/** Index of the first occurrence of `needle` in `haystack`, or -1. */
export function indexOfBytes(haystack: Uint8Array, needle: Uint8Array): number {
  const first = needle[0]!;
  for (let i = haystack.indexOf(first); i !== -1 && i + needle.length <= haystack.length; i = haystack.indexOf(first, i + 1)) {
    let k = 1;
    while (k < needle.length && haystack[i + k] === needle[k]) k++;
    if (k === needle.length) return i;
  }
  return -1;
}

/** `a` followed by `b`, in a new buffer. */
export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Frees a request-sized buffer now instead of at the isolate's next garbage collection (V8 lets
 * tens of MB of dead ArrayBuffers wait for one): the buffer is detached, so every view of it reads
 * as empty from here on. Only for a buffer nothing outlives, at the end of the request that made it.
 */
export function discardBuffer(bytes: Uint8Array): void {
  const buffer = bytes.buffer as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer; detached?: boolean };
  if (buffer.detached || typeof buffer.transfer !== 'function') return;
  try {
    buffer.transfer(0);
  } catch {
    // not transferable (a shared or WebAssembly buffer): the collector frees it
  }
}

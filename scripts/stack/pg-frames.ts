// Postgres wire-protocol framing for the dev/test proxies: typed messages are one type byte and an
// int32 length that counts itself; the startup packet has no type byte. Parses chunks as they come.

export interface Frame {
  type: string;
  body: Buffer;
  /** The whole message as received (type, length and body). */
  raw: Buffer;
}

/** A 'data' listener that calls `onFrame` for each complete typed message, across chunk boundaries. */
export function frames(onFrame: (frame: Frame) => void): (chunk: Buffer) => void {
  let buffered = Buffer.alloc(0);
  return (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    let offset = 0;
    while (buffered.length - offset >= 5) {
      const length = buffered.readInt32BE(offset + 1);
      if (buffered.length - offset < 1 + length) break;
      const raw = buffered.subarray(offset, offset + 1 + length);
      onFrame({ type: String.fromCharCode(raw[0]!), body: raw.subarray(5), raw });
      offset += 1 + length;
    }
    buffered = offset === buffered.length ? Buffer.alloc(0) : buffered.subarray(offset);
  };
}

/** Encodes one typed message. */
export function message(type: string, body: Buffer): Buffer {
  const out = Buffer.alloc(5 + body.length);
  out.write(type, 0, 'latin1');
  out.writeInt32BE(4 + body.length, 1);
  body.copy(out, 5);
  return out;
}

/** An ErrorResponse with severity FATAL, an SQLSTATE and a message. */
export function fatal(code: string, text: string): Buffer {
  return message('E', Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${text}\0\0`));
}

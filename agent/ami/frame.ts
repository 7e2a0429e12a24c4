// AMI wire format: splits a TCP byte stream into the banner line and `Key: Value` packets (lowercased keys),
// and serialises actions, refusing CR/LF in keys or values so no caller can inject extra headers or packets.

/** One parsed AMI packet. Keys are lowercased; a repeated key keeps all values joined with '\n'. */
export type AmiMessage = Record<string, string>;

/** A value for an action header; an array becomes one header line per element (e.g. `Variable`). */
export type AmiFieldValue = string | number | boolean | readonly string[] | undefined;
export type AmiFields = Readonly<Record<string, AmiFieldValue>>;

const BANNER_PREFIX = 'Asterisk Call Manager/';
const MAX_BUFFER = 1024 * 1024; // a packet larger than 1 MiB means the peer is not speaking AMI

export interface AmiFrameHandlers {
  banner(line: string): void;
  message(msg: AmiMessage): void;
  /** The peer sent something that cannot be AMI (oversized packet); the connection should be dropped. */
  protocolError(err: Error): void;
}

/** Incremental parser: feed it decoded text chunks in arrival order. */
export class AmiFrameParser {
  #buffer = '';
  #bannerSeen = false;
  #handlers: AmiFrameHandlers;

  constructor(handlers: AmiFrameHandlers) {
    this.#handlers = handlers;
  }

  push(chunk: string): void {
    this.#buffer += chunk;
    if (!this.#bannerSeen) {
      const eol = this.#buffer.indexOf('\n');
      if (eol === -1) return this.#checkSize();
      const line = this.#buffer.slice(0, eol).replace(/\r$/, '');
      if (line.startsWith(BANNER_PREFIX)) {
        this.#buffer = this.#buffer.slice(eol + 1);
        this.#bannerSeen = true;
        this.#handlers.banner(line);
      } else {
        this.#bannerSeen = true; // no banner (unusual): parse everything as packets
      }
    }
    for (;;) {
      const end = findPacketEnd(this.#buffer);
      if (end === null) return this.#checkSize();
      const raw = this.#buffer.slice(0, end.index);
      this.#buffer = this.#buffer.slice(end.index + end.length);
      const msg = parsePacket(raw);
      if (msg !== null) this.#handlers.message(msg);
    }
  }

  #checkSize(): void {
    if (this.#buffer.length > MAX_BUFFER) {
      this.#buffer = '';
      this.#handlers.protocolError(new Error('AMI packet exceeds 1 MiB'));
    }
  }
}

/** Finds the blank line that ends a packet; tolerates bare LF line endings. */
function findPacketEnd(buf: string): { index: number; length: number } | null {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf === -1 && lf === -1) return null;
  if (lf === -1 || (crlf !== -1 && crlf < lf)) return { index: crlf, length: 4 };
  return { index: lf, length: 2 };
}

export function parsePacket(raw: string): AmiMessage | null {
  const msg: AmiMessage = {};
  let any = false;
  for (const line of raw.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).replace(/^ /, '');
    msg[key] = key in msg ? `${msg[key]}\n${value}` : value;
    any = true;
  }
  return any ? msg : null;
}

const FORBIDDEN = /[\r\n]/;

/** Serialises an action. `Action` comes first, then `ActionID`, then the fields in insertion order. */
export function formatAction(action: string, actionId: string, fields: AmiFields = {}): string {
  const lines: string[] = [];
  const add = (key: string, value: string): void => {
    if (FORBIDDEN.test(key) || key.includes(':') || key.trim() === '') throw new Error(`invalid AMI header name`);
    if (FORBIDDEN.test(value)) throw new Error(`AMI header ${key} contains a line break`);
    lines.push(`${key}: ${value}\r\n`);
  };
  add('Action', action);
  add('ActionID', actionId);
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const lower = key.toLowerCase();
    if (lower === 'action' || lower === 'actionid') continue;
    if (Array.isArray(value)) for (const v of value as readonly string[]) add(key, v);
    else add(key, String(value));
  }
  return `${lines.join('')}\r\n`;
}

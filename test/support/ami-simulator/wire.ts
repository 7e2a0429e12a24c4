// Server-side AMI wire helpers for the simulator: ordered `Key: Value` packets (repeated keys kept),
// case-insensitive header lookup like Asterisk's astman_get_header, and byte-exact serialisation.

export type Pair = readonly [string, string];
export type Packet = Pair[];

export function formatPacket(pairs: readonly Pair[]): string {
  return `${pairs.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
}

/** First value of a header, matched case-insensitively; undefined when absent. */
export function header(p: readonly Pair[], key: string): string | undefined {
  const lower = key.toLowerCase();
  return p.find(([k]) => k.toLowerCase() === lower)?.[1];
}

export function headers(p: readonly Pair[], key: string): string[] {
  const lower = key.toLowerCase();
  return p.filter(([k]) => k.toLowerCase() === lower).map(([, v]) => v);
}

/** Splits an incoming text stream into packets ended by a blank line (CRLF or bare LF). */
export class PacketReader {
  #buf = '';

  push(chunk: string): Packet[] {
    this.#buf += chunk;
    const out: Packet[] = [];
    for (;;) {
      const m = /\r?\n\r?\n/.exec(this.#buf);
      if (!m) break;
      const raw = this.#buf.slice(0, m.index);
      this.#buf = this.#buf.slice(m.index + m[0].length);
      const packet = parseLines(raw);
      if (packet.length > 0) out.push(packet);
    }
    return out;
  }
}

export function parseLines(raw: string): Packet {
  const packet: Packet = [];
  for (const line of raw.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    packet.push([line.slice(0, colon).trim(), line.slice(colon + 1).replace(/^\s+/, '')]);
  }
  return packet;
}

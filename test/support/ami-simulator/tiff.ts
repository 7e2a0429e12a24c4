// Writes a minimal valid one-page fax TIFF (TIFF-F style: 1728 px wide, 204x196 dpi, bilevel, CCITT G3 1-D
// with byte-aligned EOLs, little-endian) in pure code, standing in for what ReceiveFAX leaves in the spool.

// Modified Huffman codes used by the page pattern (ITU-T T.4 tables 2 and 3).
const EOL = '000000000001';
const WHITE: Record<number, string> = { 0: '00110101', 128: '10010', 1728: '010011011' };
const BLACK: Record<number, string> = { 0: '0000110111', 1472: '0000001010101' };

export const FAX_WIDTH = 1728;

class BitWriter {
  readonly bytes: number[] = [];
  #bit = 0;

  write(bits: string): void {
    for (const b of bits) {
      if (this.#bit === 0) this.bytes.push(0);
      if (b === '1') this.bytes[this.bytes.length - 1]! |= 0x80 >> this.#bit;
      this.#bit = (this.#bit + 1) % 8;
    }
  }

  /** Zero fill so that the next `len` bits end on a byte boundary (T4Options bit 2, "fill bits"). */
  alignEnd(len: number): void {
    const pos = (this.bytes.length * 8 - (this.#bit === 0 ? 0 : 8 - this.#bit)) % 8;
    const pad = (8 - ((pos + len) % 8)) % 8;
    this.write('0'.repeat(pad));
  }
}

/** G3 1-D strip: white page with a black bar (rows 200-239, x 128-1599) so viewers show something. */
function encodePage(rows: number): Uint8Array {
  const w = new BitWriter();
  for (let y = 0; y < rows; y++) {
    w.alignEnd(EOL.length);
    w.write(EOL);
    if (y >= 200 && y < 240) w.write(WHITE[128]! + WHITE[0]! + BLACK[1472]! + BLACK[0]! + WHITE[128]! + WHITE[0]!);
    else w.write(WHITE[1728]! + WHITE[0]!);
  }
  for (let i = 0; i < 6; i++) w.write(EOL); // RTC
  return Uint8Array.from(w.bytes);
}

type Entry = { tag: number; type: 3 | 4 | 5 | 2; count: number; value: number | number[] | string };

/** Builds the TIFF file bytes. `rows` defaults to an A4 page at 196 lpi. */
export function buildFaxTiff(opts: { rows?: number; software?: string } = {}): Uint8Array {
  const rows = opts.rows ?? 2292;
  const strip = encodePage(rows);
  const software = `${opts.software ?? 'Faxbot AMI simulator'}\0`;
  const entries: Entry[] = [
    { tag: 254, type: 4, count: 1, value: 2 }, // NewSubfileType: page of a multi-page document
    { tag: 256, type: 4, count: 1, value: FAX_WIDTH }, // ImageWidth
    { tag: 257, type: 4, count: 1, value: rows }, // ImageLength
    { tag: 258, type: 3, count: 1, value: 1 }, // BitsPerSample
    { tag: 259, type: 3, count: 1, value: 3 }, // Compression: CCITT T.4 (Group 3)
    { tag: 262, type: 3, count: 1, value: 0 }, // Photometric: min-is-white
    { tag: 266, type: 3, count: 1, value: 1 }, // FillOrder: msb-to-lsb
    { tag: 273, type: 4, count: 1, value: 0 }, // StripOffsets (patched below)
    { tag: 274, type: 3, count: 1, value: 1 }, // Orientation
    { tag: 277, type: 3, count: 1, value: 1 }, // SamplesPerPixel
    { tag: 278, type: 4, count: 1, value: rows }, // RowsPerStrip
    { tag: 279, type: 4, count: 1, value: strip.length }, // StripByteCounts
    { tag: 282, type: 5, count: 1, value: [204, 1] }, // XResolution
    { tag: 283, type: 5, count: 1, value: [196, 1] }, // YResolution
    { tag: 284, type: 3, count: 1, value: 1 }, // PlanarConfiguration
    { tag: 292, type: 4, count: 1, value: 4 }, // T4Options: 1-D, fill bits before EOL
    { tag: 296, type: 3, count: 1, value: 2 }, // ResolutionUnit: inch
    { tag: 297, type: 3, count: 2, value: [0, 1] }, // PageNumber 0 of 1
    { tag: 305, type: 2, count: software.length, value: software }, // Software
  ];
  const ifdOffset = 8;
  const ifdSize = 2 + entries.length * 12 + 4;
  let extra = ifdOffset + ifdSize; // out-of-line values follow the IFD
  const extras: Array<{ offset: number; bytes: Uint8Array }> = [];
  const buf = new DataView(new ArrayBuffer(extra + 64 + software.length + strip.length));
  const u8 = new Uint8Array(buf.buffer);
  u8.set([0x49, 0x49, 0x2a, 0x00]); // "II*\0"
  buf.setUint32(4, ifdOffset, true);
  buf.setUint16(ifdOffset, entries.length, true);
  const stripOffsetAt: number[] = [];
  entries.forEach((e, i) => {
    const at = ifdOffset + 2 + i * 12;
    buf.setUint16(at, e.tag, true);
    buf.setUint16(at + 2, e.type, true);
    buf.setUint32(at + 4, e.count, true);
    if (e.type === 5) {
      const [num, den] = e.value as number[];
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setUint32(0, num!, true);
      new DataView(bytes.buffer).setUint32(4, den!, true);
      extras.push({ offset: extra, bytes });
      buf.setUint32(at + 8, extra, true);
      extra += 8;
    } else if (e.type === 2) {
      const bytes = new TextEncoder().encode(e.value as string);
      if (bytes.length <= 4) u8.set(bytes, at + 8);
      else {
        extras.push({ offset: extra, bytes });
        buf.setUint32(at + 8, extra, true);
        extra += bytes.length + (bytes.length % 2);
      }
    } else if (e.type === 3) {
      const values = Array.isArray(e.value) ? e.value : [e.value as number];
      values.forEach((v, j) => buf.setUint16(at + 8 + j * 2, v, true));
    } else {
      buf.setUint32(at + 8, e.value as number, true);
      if (e.tag === 273) stripOffsetAt.push(at + 8);
    }
  });
  buf.setUint32(ifdOffset + 2 + entries.length * 12, 0, true); // no next IFD
  for (const x of extras) u8.set(x.bytes, x.offset);
  const stripOffset = extra;
  for (const at of stripOffsetAt) buf.setUint32(at, stripOffset, true);
  u8.set(strip, stripOffset);
  return u8.slice(0, stripOffset + strip.length);
}

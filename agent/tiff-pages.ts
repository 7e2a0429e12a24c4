// Counts the pages (image file directories) of a classic TIFF in-process, by walking the IFD chain
// from the header: what `tiffinfo` reported, without a process spawn on every outbound job's path
// to the dial (issue 10). Reads only the header and each directory's entry count and next-offset;
// a truncated file, a loop in the chain or anything that is not a classic TIFF throws.
import { open } from 'node:fs/promises';

const MAX_PAGES = 100_000;

export async function countTiffPages(tiff: string, signal?: AbortSignal): Promise<number> {
  signal?.throwIfAborted();
  const file = await open(tiff, 'r');
  try {
    const { size } = await file.stat();
    const read = async (position: number, length: number): Promise<Buffer> => {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await file.read(buf, 0, length, position);
      if (bytesRead < length) throw new Error('truncated TIFF');
      return buf;
    };
    const head = await read(0, 8);
    const order = head.toString('latin1', 0, 2);
    if (order !== 'II' && order !== 'MM') throw new Error('not a TIFF file');
    const le = order === 'II';
    const u16 = (b: Buffer, at: number) => (le ? b.readUInt16LE(at) : b.readUInt16BE(at));
    const u32 = (b: Buffer, at: number) => (le ? b.readUInt32LE(at) : b.readUInt32BE(at));
    if (u16(head, 2) !== 42) throw new Error('not a classic TIFF (BigTIFF or another format)');
    const seen = new Set<number>();
    let pages = 0;
    for (let offset = u32(head, 4); offset !== 0; ) {
      if (seen.has(offset) || offset + 2 > size || pages >= MAX_PAGES) throw new Error('corrupt TIFF directory chain');
      seen.add(offset);
      const entries = u16(await read(offset, 2), 0);
      offset = u32(await read(offset + 2 + entries * 12, 4), 0);
      pages += 1;
    }
    return pages;
  } finally {
    await file.close();
  }
}

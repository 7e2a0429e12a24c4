// Outbound documents on the agent: download with retries (network, 429/5xx) and no retry on other 4xx, size cap,
// PDF -> TIFF-F with Ghostscript (1728 px wide for any page shape), page count, and TIFF -> PDF for received faxes.
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { convertPdfToTiff, convertTiffToPdf, countTiffPages, DocumentError, downloadDocument } from '../../agent/document.ts';
import { buildFaxTiff } from '../support/ami-simulator/tiff.ts';
import { makePdf } from '../agent/fake-edge.ts';

let dir: string;
let server: http.Server;
let base: string;
let statuses: number[] = [];
let hits = 0;
let body: Uint8Array;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'faxbot-agent-doc-'));
  body = await makePdf(2);
  server = http.createServer((_req, res) => {
    hits += 1;
    const status = statuses.shift() ?? 200;
    if (status === 0) return void res.destroy(); // connection reset
    res.writeHead(status, { 'Content-Length': status === 200 ? body.length : 0 }).end(status === 200 ? body : undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  hits = 0;
  statuses = [];
});

const fast = { backoff: { baseMs: 5, capMs: 10 } };
const widths = (tiff: string): number[] => [...execFileSync('tiffinfo', [tiff]).toString().matchAll(/Image Width: (\d+)/g)].map((m) => Number(m[1]));

describe('downloadDocument', () => {
  it('downloads the PDF', async () => {
    const dest = path.join(dir, 'a.pdf');
    await downloadDocument(`${base}/doc?sig=1`, dest, fast);
    expect(await readFile(dest)).toEqual(Buffer.from(body));
  });

  it('retries network errors, 429 and 5xx', async () => {
    statuses = [0, 503, 429];
    await downloadDocument(`${base}/doc`, path.join(dir, 'b.pdf'), fast);
    expect(hits).toBe(4);
  });

  it('gives up after the attempts, with download_failed', async () => {
    statuses = [500, 500, 500, 500];
    const err = await downloadDocument(`${base}/doc`, path.join(dir, 'c.pdf'), fast).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DocumentError);
    expect(err).toMatchObject({ reason: 'download_failed', message: expect.stringContaining('after 4 attempts (HTTP 500)') });
  });

  it('does not retry other 4xx (expired signed link)', async () => {
    statuses = [403];
    await expect(downloadDocument(`${base}/doc`, path.join(dir, 'd.pdf'), fast)).rejects.toMatchObject({ reason: 'download_failed', message: expect.stringContaining('HTTP 403') });
    expect(hits).toBe(1);
  });

  it('refuses documents above the size cap', async () => {
    await expect(downloadDocument(`${base}/doc`, path.join(dir, 'e.pdf'), { ...fast, maxBytes: 100 })).rejects.toMatchObject({ reason: 'download_failed' });
  });

  it('stops when aborted', async () => {
    statuses = [503, 503, 503];
    const ctl = new AbortController();
    ctl.abort(new Error('revoked'));
    await expect(downloadDocument(`${base}/doc`, path.join(dir, 'f.pdf'), { ...fast, signal: ctl.signal })).rejects.toThrow('revoked');
  });
});

describe('PDF <-> TIFF', () => {
  it('converts portrait, landscape and oversized pages to 1728-px TIFF-F pages and counts them', async () => {
    const pdf = path.join(dir, 'mixed.pdf');
    const { PDFDocument } = await import('pdf-lib');
    const doc = await PDFDocument.load(await makePdf(1));
    doc.addPage([842, 595]);
    doc.addPage([2000, 3000]);
    await writeFile(pdf, await doc.save());
    const tiff = path.join(dir, 'mixed.tiff');
    expect(await convertPdfToTiff(pdf, tiff, { paperSize: 'a4' })).toBe(3);
    expect(widths(tiff)).toEqual([1728, 1728, 1728]);
    // The in-process page count agrees with tiffinfo's directories.
    expect(await countTiffPages(tiff)).toBe([...execFileSync('tiffinfo', [tiff]).toString().matchAll(/^TIFF Directory at offset/gm)].length);
    expect(execFileSync('tiffinfo', [tiff]).toString()).toMatch(/Compression Scheme: CCITT Group 4[\s\S]*Resolution: 204, 196/);
  });

  it('a broken PDF -> conversion_failed, no TIFF left behind', async () => {
    const pdf = path.join(dir, 'broken.pdf');
    await writeFile(pdf, '%PDF-1.7 nothing here');
    const tiff = path.join(dir, 'broken.tiff');
    await expect(convertPdfToTiff(pdf, tiff)).rejects.toMatchObject({ reason: 'conversion_failed' });
    expect(existsSync(tiff)).toBe(false);
  });

  it('received TIFF -> PDF with tiff2pdf', async () => {
    const tif = path.join(dir, 'rx.tif');
    await writeFile(tif, buildFaxTiff());
    expect(await countTiffPages(tif)).toBe(1);
    const pdf = path.join(dir, 'rx.pdf');
    await convertTiffToPdf(tif, pdf);
    expect((await readFile(pdf)).subarray(0, 5).toString()).toBe('%PDF-');
    await writeFile(tif, 'not a tiff');
    await expect(convertTiffToPdf(tif, path.join(dir, 'bad.pdf'))).rejects.toMatchObject({ reason: 'conversion_failed' });
    await expect(countTiffPages(tif)).rejects.toThrow(/not a TIFF/);
  });

  it('counts TIFF pages without tiffinfo, and refuses truncated files and looping directory chains', async () => {
    const good = buildFaxTiff();
    const tif = path.join(dir, 'count.tif');
    await writeFile(tif, good.subarray(0, 6));
    await expect(countTiffPages(tif)).rejects.toThrow(/truncated/);
    // A first directory whose next-IFD offset points back to itself.
    const looped = Buffer.from(good);
    const first = looped.readUInt32LE(4);
    const entries = looped.readUInt16LE(first);
    looped.writeUInt32LE(first, first + 2 + entries * 12);
    await writeFile(tif, looped);
    await expect(countTiffPages(tif)).rejects.toThrow(/corrupt/);
  });
});

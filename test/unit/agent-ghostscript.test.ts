// The agent's pre-started Ghostscript: the same TIFF-F as a fresh process (every page shape 1728 px,
// page count, G4 at 204x196, the same pixels although the run ends at its marker), a new spare after
// each conversion (on `replenish`, or after the restart delay) and none left after close, a spare
// killed while it waited replaced without failing the job, aborts and timeouts that kill it, file
// names PostScript would misread, and reads outside its spool refused.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { convertPdfToTiff } from '../../agent/document.ts';
import { psString, WarmGhostscript } from '../../agent/ghostscript.ts';
import { makePdf } from '../agent/fake-edge.ts';
import { until } from '../support/until.ts';

let root: string;
let dir: string;
let gs: WarmGhostscript | undefined;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'faxbot-warm-gs-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
afterEach(async () => {
  await gs?.close();
  gs = undefined;
});

async function fresh(paper: 'letter' | 'a4' = 'a4', restartMs?: number): Promise<WarmGhostscript> {
  dir = await mkdtemp(path.join(root, 'spool-'));
  gs = new WarmGhostscript(dir, paper, { restartMs });
  gs.start();
  return gs;
}

const info = (tiff: string): string => execFileSync('tiffinfo', [tiff]).toString();
const widths = (tiff: string): number[] => [...info(tiff).matchAll(/Image Width: (\d+)/g)].map((m) => Number(m[1]));
const spares = (): string[] => readdirSync(dir).filter((n) => n.startsWith('.gs-'));
/** Pids of this spool's Ghostscript processes, from /proc (no procps needed). */
const gsPids = (): number[] =>
  readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`--permit-file-read=${dir}/`);
      } catch {
        return false; // exited meanwhile
      }
    })
    .map(Number);
const gsProcesses = (): number => gsPids().length;

async function mixedPdf(file: string): Promise<void> {
  const doc = await PDFDocument.load(await makePdf(1));
  doc.addPage([842, 595]);
  doc.addPage([2000, 3000]);
  await writeFile(file, await doc.save());
}

describe('pre-started Ghostscript', () => {
  it('makes the same TIFF-F as a fresh process: every page 1728 px, G4, 204x196, pages counted', async () => {
    const g = await fresh('a4');
    const pdf = path.join(dir, 'mixed.pdf');
    await mixedPdf(pdf);
    const warm = path.join(dir, 'warm.tiff');
    const cold = path.join(dir, 'cold.tiff');
    expect(await convertPdfToTiff(pdf, warm, { paperSize: 'a4', ghostscript: g })).toBe(3);
    expect(await convertPdfToTiff(pdf, cold, { paperSize: 'a4' })).toBe(3);
    expect(widths(warm)).toEqual([1728, 1728, 1728]);
    const lengths = (t: string): string[] => [...info(t).matchAll(/Image Length: (\d+)/g)].map((m) => m[1]!);
    expect(lengths(warm)).toEqual(lengths(cold));
    expect(info(warm)).toMatch(/Compression Scheme: CCITT Group 4[\s\S]*Resolution: 204, 196/);
    // The process was killed at its marker: the file it left is whole, pixel for pixel the fresh run's.
    expect(() => execFileSync('tiffcmp', ['-t', warm, cold])).not.toThrow();
  });

  it('starts the next spare only on replenish (the job is dialling), or after the restart delay', async () => {
    const g = await fresh('a4', 60_000);
    const pdf = path.join(dir, 'one.pdf');
    await writeFile(pdf, await makePdf(1));
    await until(() => gsProcesses() === 1);
    expect(await convertPdfToTiff(pdf, path.join(dir, 'r.tiff'), { paperSize: 'a4', ghostscript: g })).toBe(1);
    await until(() => gsProcesses() === 0); // killed at its marker; no new one yet
    await new Promise((r) => setTimeout(r, 300));
    expect(gsProcesses()).toBe(0);
    g.replenish();
    await until(() => gsProcesses() === 1);
    // Without a replenish, the restart delay brings the spare back.
    await g.close();
    const h = await fresh('a4', 50);
    const other = path.join(dir, 'one.pdf');
    await writeFile(other, await makePdf(1));
    await until(() => gsProcesses() === 1);
    expect(await convertPdfToTiff(other, path.join(dir, 's.tiff'), { paperSize: 'a4', ghostscript: h })).toBe(1);
    await until(() => gsProcesses() === 1);
  });

  it('starts the next spare after each conversion, and leaves no process or file after close', async () => {
    const g = await fresh();
    const pdf = path.join(dir, 'one.pdf');
    await writeFile(pdf, await makePdf(1));
    await until(() => gsProcesses() === 1);
    const used = gsPids();
    expect(await convertPdfToTiff(pdf, path.join(dir, 'a.tiff'), { paperSize: 'a4', ghostscript: g })).toBe(1);
    // The used spare is gone and, the restart delay later, a new one waits.
    await until(() => gsPids().length === 1 && !gsPids().includes(used[0]!));
    await g.close();
    gs = undefined;
    expect(spares()).toEqual([]);
    await until(() => gsProcesses() === 0);
  });

  it('a spare killed while it waited is replaced: the conversion still succeeds', async () => {
    const g = await fresh();
    const pdf = path.join(dir, 'one.pdf');
    await writeFile(pdf, await makePdf(2));
    await until(() => gsProcesses() === 1);
    for (const pid of gsPids()) process.kill(pid, 'SIGKILL');
    await until(() => gsProcesses() === 0);
    await new Promise((r) => setTimeout(r, 200)); // its exit has been seen: the dead spare is skipped
    expect(await convertPdfToTiff(pdf, path.join(dir, 'b.tiff'), { paperSize: 'a4', ghostscript: g })).toBe(2);
    // Killed just before it is handed the job (its exit not seen yet): the run fails, and is run again fresh.
    await until(() => gsProcesses() === 1);
    for (const pid of gsPids()) process.kill(pid, 'SIGKILL');
    expect(await convertPdfToTiff(pdf, path.join(dir, 'c.tiff'), { paperSize: 'a4', ghostscript: g })).toBe(2);
  });

  it('a broken PDF fails the conversion and leaves neither the TIFF nor the spare output', async () => {
    const g = await fresh();
    const pdf = path.join(dir, 'broken.pdf');
    await writeFile(pdf, 'not a pdf at all');
    const tiff = path.join(dir, 'broken.tiff');
    await expect(convertPdfToTiff(pdf, tiff, { paperSize: 'a4', ghostscript: g })).rejects.toMatchObject({ reason: 'conversion_failed' });
    expect(existsSync(tiff)).toBe(false);
    expect(spares()).toEqual([]);
  });

  it('an abort kills the run and rejects with the abort reason; a timeout is a conversion failure', async () => {
    const g = await fresh();
    const pdf = path.join(dir, 'big.pdf');
    await writeFile(pdf, await makePdf(40));
    const ac = new AbortController();
    const run = convertPdfToTiff(pdf, path.join(dir, 'c.tiff'), { paperSize: 'a4', ghostscript: g, signal: ac.signal });
    ac.abort(new Error('offer revoked'));
    await expect(run).rejects.toThrow('offer revoked');
    await expect(convertPdfToTiff(pdf, path.join(dir, 'd.tiff'), { paperSize: 'a4', ghostscript: g, timeoutMs: 1 })).rejects.toMatchObject({
      reason: 'conversion_failed',
      message: expect.stringContaining('killed'),
    });
    expect(existsSync(path.join(dir, 'c.tiff')) || existsSync(path.join(dir, 'd.tiff'))).toBe(false);
  });

  it('reads documents whose path has PostScript string characters', async () => {
    const g = await fresh();
    const sub = path.join(dir, 'odd (dir) \\ name');
    await mkdir(sub);
    const pdf = path.join(sub, 'a(1).pdf');
    await writeFile(pdf, await makePdf(1));
    expect(psString('a(b)\\c')).toBe('a\\(b\\)\\\\c');
    expect(await convertPdfToTiff(pdf, path.join(dir, 'e.tiff'), { paperSize: 'a4', ghostscript: g })).toBe(1);
  });

  it('may not read outside its spool (-dSAFER with the spool as the only readable place)', async () => {
    const g = await fresh();
    const outside = await mkdtemp(path.join(root, 'elsewhere-'));
    const pdf = path.join(outside, 'x.pdf');
    await writeFile(pdf, await makePdf(1));
    await expect(convertPdfToTiff(pdf, path.join(dir, 'f.tiff'), { paperSize: 'a4', ghostscript: g })).rejects.toMatchObject({ reason: 'conversion_failed' });
  });

  it('another paper size than its spare runs in a fresh process', async () => {
    const g = await fresh('a4');
    const pdf = path.join(dir, 'one.pdf');
    await writeFile(pdf, await makePdf(1));
    const tiff = path.join(dir, 'letter.tiff');
    expect(await convertPdfToTiff(pdf, tiff, { paperSize: 'letter', ghostscript: g })).toBe(1);
    expect(info(tiff)).toMatch(/Image Length: 2156/); // 11 in at 196 dpi
  });
});

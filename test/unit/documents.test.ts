// Unit tests for worker/documents: content sniffing, text-to-PDF rendering and document preparation.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { PDFDocument } from 'pdf-lib';
import { ApiError } from '../../worker/errors.ts';
import { detectDocumentType } from '../../worker/documents/detect.ts';
import { expandTabs, layoutPages, renderTextToPdf, wrapLine } from '../../worker/documents/text-to-pdf.ts';
import { prepareDocument } from '../../worker/documents/prepare.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

async function makePdf(pages: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  for (let i = 0; i < pages; i++) doc.addPage().drawText(`page ${i + 1}`);
  return doc.save();
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe('detectDocumentType', () => {
  it('detects PDFs by magic bytes, allowing a BOM and leading whitespace', async () => {
    const pdf = await makePdf(1);
    expect(detectDocumentType(pdf)).toBe('pdf');
    expect(detectDocumentType(enc('%PDF-1.7\n'))).toBe('pdf');
    expect(detectDocumentType(enc('\uFEFF \r\n\t%PDF-1.4'))).toBe('pdf');
    expect(detectDocumentType(enc(' '.repeat(1019) + '%PDF-'))).toBe('pdf');
    expect(detectDocumentType(enc(' '.repeat(1024) + '%PDF-'))).not.toBe('pdf');
    expect(detectDocumentType(enc('hello %PDF-1.4'))).toBe('text');
  });

  it('detects clean UTF-8 text', () => {
    expect(detectDocumentType(enc('Hello\tworld\r\n\fnext page'))).toBe('text');
    expect(detectDocumentType(enc('Grüße, 漢字 — “quotes”'))).toBe('text');
    expect(detectDocumentType(enc('\uFEFFwith BOM'))).toBe('text');
  });

  it('rejects empty input, binary data, invalid UTF-8 and control characters', () => {
    expect(detectDocumentType(new Uint8Array())).toBe('unsupported');
    expect(detectDocumentType(PNG)).toBe('unsupported');
    expect(detectDocumentType(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]))).toBe('unsupported'); // JPEG
    expect(detectDocumentType(new Uint8Array([0x68, 0x69, 0xc3]))).toBe('unsupported'); // truncated UTF-8
    expect(detectDocumentType(new Uint8Array([0x68, 0xe9, 0x6c, 0x6c, 0x6f]))).toBe('unsupported'); // Latin-1
    expect(detectDocumentType(enc('text\0with NUL'))).toBe('unsupported');
    expect(detectDocumentType(enc('bell\u0007'))).toBe('unsupported');
    expect(detectDocumentType(enc('escape \u001b[31m'))).toBe('unsupported');
    expect(detectDocumentType(enc('\0%PDF-1.4'))).toBe('unsupported');
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        expect(['pdf', 'text', 'unsupported']).toContain(detectDocumentType(bytes));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('text layout helpers', () => {
  it('expands tabs to 8-column stops', () => {
    expect(expandTabs('a\tb')).toBe('a       b');
    expect(expandTabs('\t\tx')).toBe(' '.repeat(16) + 'x');
    expect(expandTabs('1234567\t8')).toBe('1234567 8');
    expect(expandTabs('12345678\t9')).toBe('12345678' + ' '.repeat(8) + '9');
  });

  it('wraps at spaces when possible and hard-breaks long words', () => {
    expect(wrapLine('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(wrapLine('aaaa bbbb', 6)).toEqual(['aaaa', 'bbbb']);
    expect(wrapLine('x'.repeat(25), 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
    expect(wrapLine('short', 10)).toEqual(['short']);
    expect(wrapLine('', 10)).toEqual(['']);
  });

  it('paginates by line count and form feeds, ignoring a trailing form feed', () => {
    expect(layoutPages('a\nb\nc', 80, 2)).toEqual([['a', 'b'], ['c']]);
    expect(layoutPages('a\fb', 80, 50)).toEqual([['a'], ['b']]);
    expect(layoutPages('a\n\fb\n\f', 80, 50)).toEqual([['a'], ['b']]);
    expect(layoutPages('a\f\fb', 80, 50)).toEqual([['a'], [''], ['b']]);
  });
});

describe('renderTextToPdf', () => {
  it('renders 500 lines onto multiple pages', async () => {
    const text = Array.from({ length: 500 }, (_, i) => `Line ${i + 1}`).join('\n');
    const { pdf, pages } = await renderTextToPdf(text, { pageSize: 'letter' });
    const doc = await PDFDocument.load(pdf);
    expect(doc.getPageCount()).toBe(pages);
    expect(pages).toBe(Math.ceil(500 / 57)); // 57 lines fit on a letter page
  });

  it('wraps a 300-character line onto several lines', async () => {
    const words = 'lorem ipsum dolor sit amet '.repeat(12).slice(0, 300);
    const lines = layoutPages(words, 84, 57)[0]!;
    expect(lines.length).toBe(4);
    expect(lines.every((l) => l.length <= 84)).toBe(true);
    // Rendering it still fits on one page.
    expect((await renderTextToPdf(words, { pageSize: 'letter' })).pages).toBe(1);
  });

  it('starts a new page at a form feed', async () => {
    const { pdf, pages } = await renderTextToPdf('first page\r\n\fsecond page\r\n', { pageSize: 'a4' });
    expect(pages).toBe(2);
    expect((await PDFDocument.load(pdf)).getPageCount()).toBe(2);
  });

  it('uses letter (612x792) or A4 (595.28x841.89) page sizes', async () => {
    const letter = await PDFDocument.load((await renderTextToPdf('hi', { pageSize: 'letter' })).pdf);
    const a4 = await PDFDocument.load((await renderTextToPdf('hi', { pageSize: 'a4' })).pdf);
    expect(letter.getPage(0).getSize()).toEqual({ width: 612, height: 792 });
    const { width, height } = a4.getPage(0).getSize();
    expect(width).toBeCloseTo(595.28, 2);
    expect(height).toBeCloseTo(841.89, 2);
  });

  it('sets Faxbot as producer/creator and puts no content in metadata', async () => {
    const doc = await PDFDocument.load((await renderTextToPdf('Patient: Jane Doe', { pageSize: 'letter' })).pdf, {
      updateMetadata: false,
    });
    expect(doc.getProducer()).toBe('Faxbot');
    expect(doc.getCreator()).toBe('Faxbot');
    expect(doc.getTitle()).toBeUndefined();
    expect(doc.getSubject()).toBeUndefined();
  });

  it('renders Latin-1/WinAnsi characters such as accents, euro and smart quotes', async () => {
    const { pages } = await renderTextToPdf('Café – 5 € “ok” naïve ß', { pageSize: 'letter' });
    expect(pages).toBe(1);
  });

  it('rejects characters the font cannot draw with 422 naming them', async () => {
    const err = await rejection(renderTextToPdf('Name: 漢字 漢 \u200B ok', { pageSize: 'letter' }));
    expect(err.status).toBe(422);
    expect(err.code).toBe('unsupported_characters');
    expect(err.details).toEqual({ characters: ['漢 (U+6F22)', '字 (U+5B57)', 'U+200B'] });
    expect(err.message).toContain('漢 (U+6F22)');
  });

  it('reports at most 20 distinct unsupported characters', async () => {
    const text = Array.from({ length: 30 }, (_, i) => String.fromCodePoint(0x4e00 + i)).join('');
    const err = await rejection(renderTextToPdf(text, { pageSize: 'letter' }));
    expect((err.details?.characters as string[]).length).toBe(20);
    expect(err.message).toContain('and 10 more');
  });

  it('rejects empty and whitespace-only text with 400', async () => {
    for (const text of ['', '  \n\t\r\n\f ']) {
      const err = await rejection(renderTextToPdf(text, { pageSize: 'letter' }));
      expect(err.status).toBe(400);
      expect(err.code).toBe('empty_document');
    }
  });
});

describe('prepareDocument', () => {
  it('keeps the original bytes of a valid PDF and counts its pages', async () => {
    const original = await makePdf(3);
    const result = await prepareDocument(original, { pageSize: 'letter' });
    expect(result.sourceType).toBe('pdf');
    expect(result.pages).toBe(3);
    expect(result.pdf).toBe(original);
  });

  it('leaves the upload unchanged while pdf-lib parses views into it (streams, attachments, object streams)', async () => {
    const doc = await PDFDocument.create();
    doc.addPage().drawText('with an attachment');
    await doc.attach(Uint8Array.from({ length: 50_000 }, (_, i) => (i * 31) & 0xff), 'a.bin', { mimeType: 'application/octet-stream' });
    for (const useObjectStreams of [true, false]) {
      const bytes = await doc.save({ useObjectStreams });
      const before = Uint8Array.from(bytes);
      const result = await prepareDocument(bytes, { pageSize: 'letter' });
      expect(result.pages).toBe(1);
      expect(result.pdf).toBe(bytes);
      expect(Buffer.from(bytes).equals(Buffer.from(before))).toBe(true);
      // The caller's array keeps its own copying slice().
      expect(Object.hasOwn(bytes, 'slice')).toBe(false);
    }
  });

  it('renders UTF-8 text (with BOM) to PDF', async () => {
    const result = await prepareDocument(enc('\uFEFFHello fax\n'), { pageSize: 'a4' });
    expect(result.sourceType).toBe('text');
    expect(result.pages).toBe(1);
    expect(detectDocumentType(result.pdf)).toBe('pdf');
    expect((await PDFDocument.load(result.pdf)).getPage(0).getSize().width).toBeCloseTo(595.28, 2);
  });

  it('rejects a truncated PDF as invalid_pdf', async () => {
    const pdf = await makePdf(3);
    for (const length of [pdf.length - 10, Math.floor(pdf.length / 2), 20, 9]) {
      const err = await rejection(prepareDocument(pdf.slice(0, length), { pageSize: 'letter' }));
      expect(err.status).toBe(422);
      expect(err.code).toBe('invalid_pdf');
    }
  });

  it('rejects an encrypted PDF', async () => {
    const doc = await PDFDocument.create();
    doc.addPage();
    doc.context.trailerInfo.Encrypt = doc.context.register(doc.context.obj({ Filter: 'Standard', V: 1, R: 2 }));
    const err = await rejection(prepareDocument(await doc.save(), { pageSize: 'letter' }));
    expect(err.status).toBe(422);
    expect(err.code).toBe('encrypted_pdf');
  });

  it('rejects a PDF with zero pages as invalid_pdf', async () => {
    const empty = await (await PDFDocument.create()).save({ addDefaultPage: false });
    const err = await rejection(prepareDocument(empty, { pageSize: 'letter' }));
    expect(err.code).toBe('invalid_pdf');
  });

  it('rejects PNG bytes with 415 and empty input with 400', async () => {
    const png = await rejection(prepareDocument(PNG, { pageSize: 'letter' }));
    expect(png.status).toBe(415);
    expect(png.code).toBe('unsupported_media_type');
    const empty = await rejection(prepareDocument(new Uint8Array(), { pageSize: 'letter' }));
    expect(empty.status).toBe(400);
    expect(empty.code).toBe('empty_document');
  });

  it('passes font errors through for text documents', async () => {
    const err = await rejection(prepareDocument(enc('Привет'), { pageSize: 'letter' }));
    expect(err.code).toBe('unsupported_characters');
  });
});

// Renders a fax cover sheet with pdf-lib and puts it in front of the document as page 1. Fields
// are drawn in Helvetica (WinAnsi); characters it cannot draw are refused with 422 naming them.
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';
import { assertDrawable, PAGE_DIMENSIONS, wrapLine, type PageSize } from './text-to-pdf.ts';

export interface CoverFields {
  to?: string | null;
  from?: string | null;
  subject?: string | null;
  message?: string | null;
}

const MARGIN = 72;

export function hasCover(fields: CoverFields): boolean {
  return [fields.to, fields.from, fields.subject, fields.message].some((v) => !!v && v.trim() !== '');
}

/** The document with a cover sheet as page 1; returns the new PDF and its page count. */
export async function withCoverPage(pdf: Uint8Array, fields: CoverFields, opts: { pageSize: PageSize; pages: number; now?: Date }): Promise<{ pdf: Uint8Array; pages: number }> {
  const out = await PDFDocument.create({ updateMetadata: false });
  const regular = await out.embedFont(StandardFonts.Helvetica);
  const bold = await out.embedFont(StandardFonts.HelveticaBold);
  for (const value of Object.values(fields)) if (value) assertDrawable(value, regular);
  out.setProducer('Faxbot');
  out.setCreator('Faxbot');

  const [width, height] = PAGE_DIMENSIONS[opts.pageSize];
  const page = out.addPage([width, height]);
  let y = height - MARGIN - 28;
  page.drawText('FAX', { x: MARGIN, y, size: 28, font: bold });
  y -= 16;
  page.drawLine({ start: { x: MARGIN, y }, end: { x: width - MARGIN, y }, thickness: 1.5, color: rgb(0, 0, 0) });
  y -= 30;
  const total = opts.pages + 1;
  const rows: Array<[string, string]> = [
    ['To', fields.to ?? ''],
    ['From', fields.from ?? ''],
    ['Subject', fields.subject ?? ''],
    ['Date', (opts.now ?? new Date()).toISOString().slice(0, 10)],
    ['Pages', `${total} (including this cover)`],
  ];
  for (const [label, value] of rows) {
    page.drawText(`${label}:`, { x: MARGIN, y, size: 12, font: bold });
    for (const line of wrapLine(value.replace(/\s+/g, ' ').trim(), 60)) {
      page.drawText(line, { x: MARGIN + 80, y, size: 12, font: regular });
      y -= 18;
    }
    y -= 4;
  }
  if (fields.message) {
    y -= 16;
    const columns = Math.floor((width - 2 * MARGIN) / regular.widthOfTextAtSize('n', 11));
    for (const para of fields.message.replace(/\r\n?/g, '\n').split('\n')) {
      for (const line of wrapLine(para, columns)) {
        if (y < MARGIN) break;
        page.drawText(line, { x: MARGIN, y, size: 11, font: regular });
        y -= 15;
      }
    }
  }
  const source = await PDFDocument.load(pdf, { updateMetadata: false });
  for (const copied of await out.copyPages(source, source.getPageIndices())) out.addPage(copied);
  return { pdf: await out.save(), pages: out.getPageCount() };
}

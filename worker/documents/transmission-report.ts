// The transmission report: a one-page PDF confirmation of a fax job (id, destination, times,
// result, pages sent of total, remote station, every attempt) with a reduced image of the
// document's first page (pdf-lib embedPage), like the confirmation page of a fax machine.
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import type { FaxAttemptRow, FaxJobRow } from '../db/schema.ts';
import { PAGE_DIMENSIONS, type PageSize } from './text-to-pdf.ts';

const MARGIN = 54;
const MAX_ATTEMPT_ROWS = 14;

export async function renderTransmissionReport(
  job: FaxJobRow,
  attempts: FaxAttemptRow[],
  document: Uint8Array | null,
  opts: { pageSize: PageSize; now?: Date },
): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setProducer('Faxbot');
  doc.setCreator('Faxbot');
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const [width, height] = PAGE_DIMENSIONS[opts.pageSize];
  const page = doc.addPage([width, height]);
  const text = (s: string, x: number, y: number, size = 10, f: PDFFont = font) => page.drawText(ascii(s), { x, y, size, font: f });

  let y = height - MARGIN - 18;
  text('Fax transmission report', MARGIN, y, 18, bold);
  y -= 14;
  page.drawLine({ start: { x: MARGIN, y }, end: { x: width - MARGIN, y }, thickness: 1, color: rgb(0, 0, 0) });
  y -= 22;
  const fmt = (d: Date | null | undefined) => (d ? d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : '-');
  const rows: Array<[string, string]> = [
    ['Job', job.id],
    ['Destination', job.toNumber],
    ['Result', job.status.toUpperCase() + (job.failureReason ? ` (${job.failureReason})` : '')],
    ['Pages sent', `${job.pagesSent ?? 0} of ${job.pages ?? '?'}`],
    ['Remote station', job.remoteStationId ?? '-'],
    ['Accepted', fmt(job.createdAt)],
    ['Completed', fmt(job.completedAt)],
    ['Report printed', fmt(opts.now ?? new Date())],
  ];
  for (const [label, value] of rows) {
    text(`${label}:`, MARGIN, y, 11, bold);
    text(value, MARGIN + 110, y, 11);
    y -= 16;
  }
  y -= 10;
  text('Attempts', MARGIN, y, 12, bold);
  y -= 16;
  const cols = [0, 24, 150, 212, 300, 360];
  ['#', 'Started', 'Result', 'Reason', 'Pages', 'Rate / T.38'].forEach((h, i) => text(h, MARGIN + cols[i]!, y, 9, bold));
  y -= 13;
  if (attempts.length === 0) {
    text('No attempt was made.', MARGIN, y, 9);
    y -= 13;
  }
  for (const a of attempts.slice(-MAX_ATTEMPT_ROWS)) {
    const cells = [String(a.number), fmt(a.startedAt), a.result ?? 'in flight', a.failureReason ?? '-', a.pagesSent === null ? '-' : String(a.pagesSent), `${a.bitrate ?? '-'} / ${a.t38 === null ? '-' : a.t38 ? 'yes' : 'no'}`];
    cells.forEach((cell, i) => text(cell.slice(0, 40), MARGIN + cols[i]!, y, 9));
    y -= 13;
  }
  await drawFirstPage(doc, page, document, { x: MARGIN, top: y - 14, width: width - 2 * MARGIN, bottom: MARGIN }, font);
  return doc.save();
}

async function drawFirstPage(doc: PDFDocument, page: PDFPage, document: Uint8Array | null, box: { x: number; top: number; width: number; bottom: number }, font: PDFFont): Promise<void> {
  page.drawText('First page', { x: box.x, y: box.top, size: 12, font });
  const top = box.top - 10;
  if (!document) {
    page.drawText('(the document is no longer stored)', { x: box.x, y: top - 14, size: 9, font });
    return;
  }
  try {
    const [embedded] = await doc.embedPdf(document, [0]);
    if (!embedded) return;
    const maxH = top - box.bottom;
    const scale = Math.min(maxH / embedded.height, (box.width * 0.6) / embedded.width, 0.5);
    const w = embedded.width * scale;
    const h = embedded.height * scale;
    page.drawPage(embedded, { x: box.x, y: top - h, width: w, height: h });
    page.drawRectangle({ x: box.x, y: top - h, width: w, height: h, borderColor: rgb(0.4, 0.4, 0.4), borderWidth: 0.5 });
  } catch {
    page.drawText('(the first page could not be drawn)', { x: box.x, y: top - 14, size: 9, font });
  }
}

/** The report's own strings are ASCII; anything else (never expected) is replaced. */
function ascii(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?');
}

// The benchmarks' document: one letter-size page of text, as a clinic's referral would be.
import { PDFDocument, StandardFonts } from 'pdf-lib';

export async function onePagePdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.addPage([612, 792]).drawText('Faxbot benchmark page', { x: 72, y: 700, font, size: 14 });
  return doc.save();
}

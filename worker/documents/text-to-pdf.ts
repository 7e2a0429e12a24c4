// Renders UTF-8 plain text to a fax-friendly PDF: Courier 10pt, 0.75in margins, wrapped and paginated.
// Characters the standard Courier font (WinAnsi) cannot draw are rejected up front with a 422 naming them.
import { PDFDocument, PageSizes, StandardFonts } from 'pdf-lib';
import type { PDFFont } from 'pdf-lib';
import { ApiError } from '../errors.ts';

export type PageSize = 'letter' | 'a4';

export const PAGE_DIMENSIONS: Record<PageSize, readonly [number, number]> = {
  letter: PageSizes.Letter, // 612 x 792 pt
  a4: PageSizes.A4, // 595.28 x 841.89 pt
};
const FONT_SIZE = 10;
const LINE_HEIGHT = 12; // 1.2 x font size
const MARGIN = 54; // 0.75in: clear of the fax header line and of fax machines' unprintable edges
const TAB_WIDTH = 8;
const MAX_REPORTED_CHARACTERS = 20;

export async function renderTextToPdf(
  text: string,
  opts: { pageSize: PageSize },
): Promise<{ pdf: Uint8Array; pages: number }> {
  const normalized = text.replace(/\r\n?/g, '\n');
  if (normalized.trim() === '') {
    throw new ApiError(400, 'empty_document', 'The document is empty.');
  }

  const doc = await PDFDocument.create({ updateMetadata: false });
  const font = await doc.embedFont(StandardFonts.Courier);
  assertDrawable(normalized, font);

  // No title/subject/keywords: metadata must never carry document content (PHI).
  const now = new Date();
  doc.setProducer('Faxbot');
  doc.setCreator('Faxbot');
  doc.setCreationDate(now);
  doc.setModificationDate(now);

  const [width, height] = PAGE_DIMENSIONS[opts.pageSize];
  const charWidth = font.widthOfTextAtSize('M', FONT_SIZE); // monospace: every glyph is 6pt at 10pt
  const columns = Math.max(1, Math.floor((width - 2 * MARGIN) / charWidth));
  const linesPerPage = Math.max(1, Math.floor((height - 2 * MARGIN) / LINE_HEIGHT));

  for (const pageLines of layoutPages(normalized, columns, linesPerPage)) {
    const page = doc.addPage([width, height]);
    pageLines.forEach((line, i) => {
      if (line.trim() === '') return;
      const y = height - MARGIN - FONT_SIZE - i * LINE_HEIGHT;
      page.drawText(line, { x: MARGIN, y, size: FONT_SIZE, font });
    });
  }

  const pdf = await doc.save();
  return { pdf, pages: doc.getPageCount() };
}

/** Splits text into pages of at most `linesPerPage` lines of at most `columns` characters. */
export function layoutPages(text: string, columns: number, linesPerPage: number): string[][] {
  const sections = text.split('\f');
  // A trailing form feed (common at the end of printer-formatted text) must not add a blank page.
  while (sections.length > 1 && sections[sections.length - 1]!.trim() === '') sections.pop();

  const pages: string[][] = [];
  for (const section of sections) {
    const lines = section.split('\n').flatMap((line) => wrapLine(expandTabs(line), columns));
    // Drop the empty line produced by a newline right before a form feed / end of text.
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    for (let start = 0; start < lines.length; start += linesPerPage) {
      pages.push(lines.slice(start, start + linesPerPage));
    }
  }
  return pages;
}

export function expandTabs(line: string): string {
  if (!line.includes('\t')) return line;
  let out = '';
  for (const ch of line) {
    if (ch === '\t') out += ' '.repeat(TAB_WIDTH - (out.length % TAB_WIDTH));
    else out += ch;
  }
  return out;
}

/** Wraps one line at `columns`, preferring to break at the last space that fits; hard-breaks long words. */
export function wrapLine(line: string, columns: number): string[] {
  const out: string[] = [];
  let rest = line;
  while (rest.length > columns) {
    const space = rest.lastIndexOf(' ', columns);
    const head = space > 0 ? rest.slice(0, space).replace(/ +$/, '') : '';
    if (head === '') {
      out.push(rest.slice(0, columns));
      rest = rest.slice(columns);
    } else {
      out.push(head);
      rest = rest.slice(space).replace(/^ +/, '');
    }
  }
  out.push(rest);
  return out;
}

export function assertDrawable(text: string, font: PDFFont): void {
  const supported = new Set(font.getCharacterSet());
  const offending = new Set<string>();
  for (const ch of text) {
    if (ch === '\n' || ch === '\t' || ch === '\f') continue;
    if (!supported.has(ch.codePointAt(0)!)) offending.add(ch);
  }
  if (offending.size === 0) return;

  const characters = [...offending].slice(0, MAX_REPORTED_CHARACTERS).map(describeCharacter);
  const more = offending.size - characters.length;
  throw new ApiError(
    422,
    'unsupported_characters',
    `The text contains characters the fax font cannot draw: ${characters.join(', ')}${more > 0 ? ` and ${more} more` : ''}.`,
    { characters },
  );
}

/** '漢' -> '漢 (U+6F22)'; invisible/control characters are shown by code point only. */
function describeCharacter(ch: string): string {
  const code = `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  return /[\p{C}\p{Z}]/u.test(ch) ? code : `${ch} (${code})`;
}

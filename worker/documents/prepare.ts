// Turns an uploaded document into the PDF we fax: validates PDFs (original bytes kept), renders text to PDF.
// Type comes from content sniffing (detect.ts); every rejection is an ApiError with a stable code.
import { PDFDocument } from 'pdf-lib';
import { ApiError } from '../errors.ts';
import { indexOfBytes } from '../lib/bytes.ts';
import { detectDocumentType } from './detect.ts';
import { renderTextToPdf } from './text-to-pdf.ts';
import type { PageSize } from './text-to-pdf.ts';

export interface PreparedDocument {
  pdf: Uint8Array;
  pages: number;
  sourceType: 'pdf' | 'text';
}

export async function prepareDocument(bytes: Uint8Array, opts: { pageSize: PageSize }): Promise<PreparedDocument> {
  if (bytes.length === 0) throw new ApiError(400, 'empty_document', 'The document is empty.');

  switch (detectDocumentType(bytes)) {
    case 'pdf':
      return { pdf: bytes, pages: await countPdfPages(bytes), sourceType: 'pdf' };
    case 'text': {
      const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes); // strips a leading BOM
      const { pdf, pages } = await renderTextToPdf(text, opts);
      return { pdf, pages, sourceType: 'text' };
    }
    default:
      throw new ApiError(415, 'unsupported_media_type', 'Send a PDF or UTF-8 plain text document');
  }
}

/** Parses the PDF to prove it is usable and count its pages; the caller keeps the original bytes. */
async function countPdfPages(bytes: Uint8Array): Promise<number> {
  // Encryption is checked via isEncrypted rather than by catching pdf-lib's EncryptedPDFError: pdf-lib is
  // compiled to ES5, so `instanceof` on its Error subclasses does not work.
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(sharedView(bytes), { ignoreEncryption: true, updateMetadata: false });
  } catch {
    // Encrypted object streams can make parsing itself fail; still tell the user the real problem.
    if (containsAscii(bytes, '/Encrypt')) throw encryptedPdf();
    throw invalidPdf('The PDF could not be read; it may be damaged or truncated.');
  }
  if (doc.isEncrypted) throw encryptedPdf();

  let pages: number;
  try {
    pages = doc.getPageCount();
  } catch {
    throw invalidPdf('The PDF could not be read; it may be damaged or truncated.');
  }
  if (pages === 0) throw invalidPdf('The PDF has no pages.');
  return pages;
}

/**
 * The same bytes for pdf-lib, without the copy of every stream it would make: its parser keeps the
 * array it is given and takes each stream's contents with that array's own `slice()` (ByteStream),
 * which copies. For a count of pages nothing writes to those contents and the document is dropped
 * after, so views into the upload do (one copy of the file less per upload; upload-memory bench).
 */
function sharedView(bytes: Uint8Array): Uint8Array {
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  Object.defineProperty(view, 'slice', { value: (start?: number, end?: number) => view.subarray(start, end) });
  return view;
}

const invalidPdf = (message: string) => new ApiError(422, 'invalid_pdf', message);
const encryptedPdf = () =>
  new ApiError(422, 'encrypted_pdf', 'The PDF is encrypted or password-protected; send an unencrypted PDF.');

function containsAscii(bytes: Uint8Array, needle: string): boolean {
  return indexOfBytes(bytes, Uint8Array.from(needle, (c) => c.charCodeAt(0))) !== -1;
}

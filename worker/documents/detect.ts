// Decides what an uploaded document is from its bytes alone; the client's Content-Type is never trusted.
// PDF = '%PDF-' after an optional UTF-8 BOM/whitespace in the first 1024 bytes; text = clean UTF-8.

export type DocumentType = 'pdf' | 'text' | 'unsupported';

const PDF_MAGIC = [0x25, 0x50, 0x44, 0x46, 0x2d]; // %PDF-
const PDF_HEADER_WINDOW = 1024;

export function detectDocumentType(bytes: Uint8Array): DocumentType {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) return 'unsupported';
  if (isPdf(bytes)) return 'pdf';
  return isPlainText(bytes) ? 'text' : 'unsupported';
}

function isPdf(bytes: Uint8Array): boolean {
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3;
  while (i < bytes.length && i < PDF_HEADER_WINDOW && isWhitespace(bytes[i]!)) i++;
  if (i >= PDF_HEADER_WINDOW) return false;
  return PDF_MAGIC.every((b, k) => bytes[i + k] === b);
}

// PDF whitespace: NUL is deliberately excluded (binary junk is not a PDF header).
function isWhitespace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0c;
}

function isPlainText(bytes: Uint8Array): boolean {
  // Byte-level scan first: cheap, and rejects binary (NUL, other C0 controls, DEL) before decoding.
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 0x20 ? !(b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0c) : b === 0x7f) return false;
  }
  try {
    new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

// A multipart/form-data upload read as it streams (@remix-run/multipart-parser), for POST /fax: text
// fields as strings, each file part as one buffer. Not `request.formData()`: workerd buffers the
// whole body, then each File again, and the route copied the File once more (3.8× the file in peak
// RSS per concurrent upload; scripts/bench/upload-memory.ts). Here the body's chunks are held only
// until their part ends and are joined once. Limits are checked while reading: a body over them is
// refused before the rest of it arrives. A preamble before the first boundary (RFC 2046 allows one,
// and some clients send a bare CRLF there) is skipped here: the parser wants the boundary first.
import {
  getMultipartBoundary,
  MaxFileSizeExceededError,
  MaxPartsExceededError,
  MaxTotalSizeExceededError,
  MultipartParseError,
  MultipartParser,
  type MultipartPart,
} from '@remix-run/multipart-parser';
import { ApiError } from '../errors.ts';
import { concatBytes, indexOfBytes } from './bytes.ts';

export interface UploadForm {
  fields: Map<string, string>;
  /** Parts with a filename, by field name: their bytes. */
  files: Map<string, Uint8Array>;
}

export interface FormLimits {
  /** Largest file part: beyond it `onTooLarge` decides the error (413). */
  maxFileBytes: number;
  /** All parts' contents together (the file plus the small fields). */
  maxTotalBytes: number;
  maxParts: number;
  onTooLarge: () => never;
}

/** Reads the form; a name sent twice is 400 duplicate_field, a malformed body 400 invalid_multipart. */
export async function readUploadForm(req: Request, limits: FormLimits): Promise<UploadForm> {
  const form: UploadForm = { fields: new Map(), files: new Map() };
  try {
    const boundary = getMultipartBoundary(req.headers.get('content-type') ?? '');
    if (!boundary || !req.body) throw new MultipartParseError('no boundary or no body');
    const parser = new MultipartParser(boundary, { maxFileSize: limits.maxFileBytes, maxTotalSize: limits.maxTotalBytes, maxParts: limits.maxParts });
    // The body's own reader feeds the parser: no stream or async generator in between (each
    // layer costs CPU per chunk, and POST /fax is the hot path).
    const reader = req.body.getReader();
    try {
      const marker = new TextEncoder().encode(`--${boundary}`);
      let head: Uint8Array | null = new Uint8Array(0);
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        let chunk: Uint8Array = value;
        if (head) {
          head = head.length === 0 ? chunk : concatBytes(head, chunk);
          const start = firstBoundary(head, marker);
          if (start === -1) continue;
          chunk = head.subarray(start);
          head = null;
        }
        if (chunk.length > 0) for (const part of parser.write(chunk)) addPart(form, part);
      }
      if (head) throw new MultipartParseError('no opening boundary');
      parser.finish();
    } finally {
      await reader.cancel().catch(() => undefined);
    }
  } catch (err) {
    if (err instanceof ApiError) throw err;
    if (err instanceof MaxFileSizeExceededError || err instanceof MaxTotalSizeExceededError) limits.onTooLarge();
    if (err instanceof MaxPartsExceededError) throw new ApiError(400, 'invalid_multipart', `The form has more than ${limits.maxParts} parts.`);
    if (err instanceof MultipartParseError) throw new ApiError(400, 'invalid_multipart', 'The multipart body could not be parsed.');
    throw new ApiError(400, 'invalid_multipart', 'The multipart body could not be read.');
  }
  return form;
}

function addPart(form: UploadForm, part: MultipartPart): void {
  const name = part.name;
  if (name === undefined) return; // not a form field (no Content-Disposition name): FormData skips it too
  if (form.fields.has(name) || form.files.has(name)) throw new ApiError(400, 'duplicate_field', `The '${name.slice(0, 40)}' field was sent more than once.`, { field: name.slice(0, 40) });
  if (part.filename !== undefined) form.files.set(name, part.bytes);
  else form.fields.set(name, part.text);
}

/** Longest preamble looked through for the first boundary. */
const MAX_PREAMBLE = 64 * 1024;

/**
 * Where the body's first `--boundary` starts (at the start, or after a CRLF that ends the preamble);
 * -1 while more of the body is needed to tell.
 */
function firstBoundary(head: Uint8Array, marker: Uint8Array): number {
  const at = indexOfBytes(head, marker);
  if (at === 0 || (at >= 2 && head[at - 2] === 13 && head[at - 1] === 10)) return at;
  if (head.length > MAX_PREAMBLE) throw new MultipartParseError('no opening boundary');
  return -1;
}

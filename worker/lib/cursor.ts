// Opaque pagination cursors: base64url JSON of the last row's sort key. Tampered cursors -> 400.
import { ApiError } from '../errors.ts';
import { base64url } from './crypto.ts';

export interface Cursor {
  createdAt: Date;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return base64url(new TextEncoder().encode(JSON.stringify({ t: c.createdAt.toISOString(), i: c.id })));
}

export function decodeCursor(value: string): Cursor {
  try {
    const b64 = value.replace(/-/g, '+').replace(/_/g, '/');
    const json = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0))));
    const createdAt = new Date(json.t);
    if (typeof json.i !== 'string' || json.i.length > 64 || Number.isNaN(createdAt.getTime())) throw new Error('shape');
    return { createdAt, id: json.i };
  } catch {
    throw new ApiError(400, 'invalid_cursor', 'The cursor is not one this API issued.');
  }
}

/**
 * One page from rows fetched with `limit + 1`: the extra row only says there is a next page,
 * whose cursor is the last row shown.
 */
export function pageOf<T extends { createdAt: Date; id: string }>(rows: T[], limit: number): { page: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { page, nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null };
}

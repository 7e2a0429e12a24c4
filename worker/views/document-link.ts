// The signed document link a response may carry: only for a caller whose scopes allow reading the
// document (fax:read for a job's, inbound:read for a received fax's), only while the document is
// kept, and only with a signing secret. A response never carries more than the caller's scopes
// allow: a send-only or list-only key gets the resource, not a way to read its document.
import type { Context } from 'hono';
import type { Scope } from '../auth/scopes.ts';
import type { AppEnv } from '../context.ts';
import { documentUrl } from '../lib/pdf-token.ts';

export interface DocumentLinkFields {
  pdf_url: string | null;
  pdf_url_expires_at: string | null;
}

export async function documentLink(
  c: Context<AppEnv>,
  doc: { readScope: Scope; path: string; id: string; deletedAt: Date | null },
): Promise<DocumentLinkFields> {
  const config = c.get('config');
  const caller = c.get('caller');
  if (!caller?.scopes.has(doc.readScope) || !config.pdfTokenSecret || doc.deletedAt) return { pdf_url: null, pdf_url_expires_at: null };
  const base = config.publicApiUrl ?? new URL(c.req.url).origin;
  const link = await documentUrl(base, doc.path, config.pdfTokenSecret, doc.id, config.pdfTokenTtlMinutes);
  return { pdf_url: link.url, pdf_url_expires_at: link.expiresAt.toISOString() };
}

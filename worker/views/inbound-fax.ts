// Public JSON shape of an inbound fax, with a fresh short-lived signed link to its PDF for callers
// that may read it.
import type { Context } from 'hono';
import type { AppEnv } from '../context.ts';
import type { InboundFaxRow } from '../db/schema.ts';
import { documentUrl } from '../lib/pdf-token.ts';

export async function presentInboundFax(c: Context<AppEnv>, row: InboundFaxRow) {
  const config = c.get('config');
  const base = config.publicApiUrl ?? new URL(c.req.url).origin;
  // A response never carries more than the caller's scopes allow: the document link needs
  // inbound:read (an inbound:list-only key sees the list, not a way to read the documents).
  const caller = c.get('caller');
  const mayReadDocument = !!caller && caller.scopes.has('inbound:read');
  const link =
    mayReadDocument && config.pdfTokenSecret && !row.documentDeletedAt
      ? await documentUrl(base, `/inbound/${row.id}/pdf`, config.pdfTokenSecret, row.id, config.pdfTokenTtlMinutes)
      : null;
  return {
    id: row.id,
    owner: row.owner,
    from: row.fromNumber,
    to: row.toNumber,
    pages: row.pages,
    remote_station_id: row.remoteStationId,
    /** 'agent' (SIP) or the cloud provider that received it. */
    source: row.provider ?? 'agent',
    received_at: row.receivedAt.toISOString(),
    created_at: row.createdAt.toISOString(),
    document_bytes: row.documentBytes,
    document_deleted_at: row.documentDeletedAt?.toISOString() ?? null,
    pdf_url: link?.url ?? null,
    pdf_url_expires_at: link?.expiresAt.toISOString() ?? null,
  };
}

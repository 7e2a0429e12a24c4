// Public JSON shape of an inbound fax, with a fresh short-lived signed link to its PDF for callers
// with inbound:read (document-link.ts).
import type { Context } from 'hono';
import type { AppEnv } from '../context.ts';
import type { InboundFaxRow } from '../db/schema.ts';
import { documentLink } from './document-link.ts';

export async function presentInboundFax(c: Context<AppEnv>, row: InboundFaxRow) {
  const link = await documentLink(c, { readScope: 'inbound:read', path: `/inbound/${row.id}/pdf`, id: row.id, deletedAt: row.documentDeletedAt });
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
    ...link,
  };
}

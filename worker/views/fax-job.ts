// The public JSON shape of a fax job. The document link is a fresh short-lived signed URL.
import type { Context } from 'hono';
import type { AppEnv } from '../context.ts';
import type { FaxJobRow } from '../db/schema.ts';
import { documentUrl } from '../lib/pdf-token.ts';

export async function presentFaxJob(c: Context<AppEnv>, job: FaxJobRow) {
  const config = c.get('config');
  const base = config.publicApiUrl ?? new URL(c.req.url).origin;
  const link =
    config.pdfTokenSecret && !job.documentDeletedAt
      ? await documentUrl(base, `/fax/${job.id}/pdf`, config.pdfTokenSecret, job.id, config.pdfTokenTtlMinutes)
      : null;
  return {
    id: job.id,
    status: job.status,
    to: job.toNumber,
    header_text: job.headerText,
    backend: job.backend,
    site: job.site,
    owner: job.owner,
    pages: job.pages,
    source_type: job.sourceType,
    document_bytes: job.documentBytes,
    failure_reason: job.failureReason,
    failure_detail: job.failureDetail,
    bitrate: job.bitrate,
    remote_station_id: job.remoteStationId,
    created_at: job.createdAt.toISOString(),
    updated_at: job.updatedAt.toISOString(),
    dialed_at: job.dialedAt?.toISOString() ?? null,
    completed_at: job.completedAt?.toISOString() ?? null,
    canceled_at: job.canceledAt?.toISOString() ?? null,
    pdf_url: link?.url ?? null,
    pdf_url_expires_at: link?.expiresAt.toISOString() ?? null,
  };
}

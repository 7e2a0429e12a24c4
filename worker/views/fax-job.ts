// The public JSON shape of a fax job and its attempts. `pages` is the document's page count,
// `pages_sent` what the last attempt transmitted. The document link is a fresh short-lived
// signed URL, for callers with fax:read (document-link.ts).
import type { Context } from 'hono';
import type { AppEnv } from '../context.ts';
import type { FaxAttemptRow, FaxJobRow } from '../db/schema.ts';
import { documentLink } from './document-link.ts';

const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;

export function presentAttempt(a: FaxAttemptRow) {
  return {
    number: a.number,
    started_at: a.startedAt.toISOString(),
    ended_at: iso(a.endedAt),
    result: a.result,
    failure_reason: a.failureReason,
    failure_detail: a.failureDetail,
    connected: a.connected,
    pages_sent: a.pagesSent,
    bitrate: a.bitrate,
    remote_station_id: a.remoteStationId,
    t38: a.t38,
    agent_id: a.agentId,
    provider_ref: a.providerRef,
    backend: a.backend,
  };
}

export async function presentFaxJob(c: Context<AppEnv>, job: FaxJobRow, attempts: FaxAttemptRow[] = []) {
  const link = await documentLink(c, { readScope: 'fax:read', path: `/fax/${job.id}/pdf`, id: job.id, deletedAt: job.documentDeletedAt });
  return {
    id: job.id,
    status: job.status,
    to: job.toNumber,
    header_text: job.headerText,
    backend: job.backend,
    site: job.site,
    owner: job.owner,
    pages: job.pages,
    pages_sent: job.pagesSent,
    has_cover: job.hasCover,
    source_type: job.sourceType,
    document_bytes: job.documentBytes,
    failure_reason: job.failureReason,
    failure_detail: job.failureDetail,
    bitrate: job.bitrate,
    remote_station_id: job.remoteStationId,
    tries: job.tries,
    max_tries: job.maxTries,
    attempts: attempts.map(presentAttempt),
    next_attempt_at: job.status === 'queued' ? iso(job.nextAttemptAt) : null,
    send_at: iso(job.sendAt),
    expires_at: iso(job.expiresAt),
    resend_of: job.resendOf,
    created_at: job.createdAt.toISOString(),
    updated_at: job.updatedAt.toISOString(),
    dialed_at: job.dialedAt?.toISOString() ?? null,
    completed_at: job.completedAt?.toISOString() ?? null,
    canceled_at: job.canceledAt?.toISOString() ?? null,
    ...link,
  };
}

// Faxes a cloud provider received: stored once per (provider, provider fax id) however often the
// provider calls back, owned through the inbound-number mapping of the dialled number. With the PDF
// in the callback it is stored before the callback is answered; without it a 'pending' row is
// recorded first (durable), and the PDF is fetched from the provider by id — right after the answer,
// and again by the scheduler's alarm with backoff until it succeeds.
import { and, asc, eq, lte, min, sql } from 'drizzle-orm';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { inboundFaxes, type InboundFaxRow } from '../db/schema.ts';
import { detectDocumentType } from '../documents/detect.ts';
import { inboundDocumentKey } from '../documents/keys.ts';
import { sha256Hex } from '../lib/crypto.ts';
import { log } from '../lib/log.ts';
import type { AuditLog } from '../services/audit-log.ts';
import type { DocumentStore } from '../services/document-store.ts';
import type { InboundRepository } from '../services/inbound.ts';
import { maskNumber, normalizeNumber } from '../../shared/phone.ts';

export interface ReceivedReport {
  provider: 'phaxio' | 'sinch';
  ref: string;
  from: string | null;
  to: string | null;
  pages: number | null;
  receivedAt: Date;
  /** The PDF when the callback carried it. */
  pdf: Uint8Array | null;
}

export interface InboundDeps {
  inbound: InboundRepository;
  audit: AuditLog;
  config: Config;
}

export type Downloader = (provider: string, ref: string) => Promise<Uint8Array>;

export async function inboundId(provider: string, ref: string): Promise<string> {
  return `inb_${(await sha256Hex(`provider:${provider}:${ref}`)).slice(0, 24)}`;
}

const isPdf = (bytes: Uint8Array | null): bytes is Uint8Array => !!bytes && bytes.byteLength > 0 && detectDocumentType(bytes) === 'pdf';

export async function receiveProviderFax(documents: DocumentStore, deps: InboundDeps, report: ReceivedReport): Promise<{ row: InboundFaxRow; created: boolean }> {
  const id = await inboundId(report.provider, report.ref);
  const norm = (n: string | null) => {
    const r = n ? normalizeNumber(n, deps.config.defaultCountryCode) : null;
    return r?.ok ? r.e164 : null;
  };
  const to = norm(report.to);
  const documentKey = inboundDocumentKey(id);
  const pdf = isPdf(report.pdf) ? report.pdf : null;
  let stored: { documentSha256: string; documentBytes: number } | null = null;
  if (pdf) {
    const documentSha256 = await sha256Hex(pdf);
    await documents.put(documentKey, pdf, 'application/pdf', documentSha256);
    stored = { documentSha256, documentBytes: pdf.byteLength };
  }
  const now = new Date();
  const result = await deps.inbound.storeFromProvider({
    id,
    owner: await deps.inbound.ownerOf(to),
    provider: report.provider,
    providerFaxId: report.ref,
    fromNumber: norm(report.from),
    toNumber: to,
    pages: report.pages,
    receivedAt: report.receivedAt,
    documentKey,
    documentStatus: stored ? 'stored' : 'pending',
    documentSha256: stored?.documentSha256 ?? null,
    documentBytes: stored?.documentBytes ?? null,
    fetchNextAt: stored ? null : now,
  });
  if (result.created) {
    log('info', 'inbound fax received', { inbound_id: id, provider: report.provider, to: to ? maskNumber(to) : null, pages: report.pages, document: stored ? 'stored' : 'pending' });
    await deps.audit.record({
      actorType: 'provider',
      actorId: report.provider,
      action: 'inbound.receive',
      resourceType: 'inbound_fax',
      resourceId: id,
      outcome: 'success',
      details: { provider: report.provider, to: to ? maskNumber(to) : null, pages: report.pages, document: stored ? 'stored' : 'pending' },
    });
  }
  return result;
}

/** Backoff for a document still to fetch: 5 s doubling, at most an hour; it is never given up. */
export const fetchDelayMs = (attempts: number) => Math.min(3600_000, 5000 * 2 ** Math.min(attempts, 10));

/** Fetches one pending document; true once stored. */
export async function fetchPendingDocument(db: Database, documents: DocumentStore, download: Downloader, row: InboundFaxRow): Promise<boolean> {
  try {
    const pdf = await download(row.provider ?? '', row.providerFaxId ?? '');
    if (!isPdf(pdf)) throw new Error('not a PDF');
    const documentSha256 = await sha256Hex(pdf);
    await documents.put(row.documentKey, pdf, 'application/pdf', documentSha256);
    await db
      .update(inboundFaxes)
      .set({ documentStatus: 'stored', documentSha256, documentBytes: pdf.byteLength, fetchNextAt: null, fetchAttempts: row.fetchAttempts + 1, updatedAt: new Date() })
      .where(and(eq(inboundFaxes.id, row.id), eq(inboundFaxes.documentStatus, 'pending')));
    return true;
  } catch (err) {
    const attempts = row.fetchAttempts + 1;
    log('warn', 'inbound document fetch failed; retrying', { inbound_id: row.id, provider: row.provider, attempts, error: (err as Error).name });
    await db
      .update(inboundFaxes)
      .set({ fetchAttempts: attempts, fetchNextAt: new Date(Date.now() + fetchDelayMs(attempts)), updatedAt: new Date() })
      .where(and(eq(inboundFaxes.id, row.id), eq(inboundFaxes.documentStatus, 'pending')));
    return false;
  }
}

/** The alarm's part: fetch what is due; returns when the next pending document is due (null: none). */
export async function fetchDueDocuments(db: Database, documents: DocumentStore, download: Downloader, now = new Date()): Promise<Date | null> {
  const due = await db
    .select()
    .from(inboundFaxes)
    .where(and(eq(inboundFaxes.documentStatus, 'pending'), lte(inboundFaxes.fetchNextAt, now)))
    .orderBy(asc(inboundFaxes.fetchNextAt))
    .limit(20);
  for (const row of due) await fetchPendingDocument(db, documents, download, row);
  const next = await db.select({ at: min(inboundFaxes.fetchNextAt) }).from(inboundFaxes).where(sql`${inboundFaxes.documentStatus} = 'pending'`);
  return next[0]?.at ? new Date(next[0].at) : null;
}

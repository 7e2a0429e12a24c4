// Builds the offer for a leased job: the number, header, pages and a short-lived signed link to
// the document (the same signed links the API hands out, valid for 10 minutes), and the document
// itself when the hub has it (inline-documents.ts): the agent then writes it instead of downloading.
import type { EdgeMessageBody } from '../../shared/agent-protocol.ts';
import type { FaxJobRow } from '../db/schema.ts';
import { documentUrl } from '../lib/pdf-token.ts';
import type { HubContext } from './agent-hub.ts';

const DOCUMENT_LINK_MINUTES = 10;

export async function buildOffer(hub: HubContext, job: FaxJobRow, document?: string): Promise<EdgeMessageBody> {
  const base = hub.config.publicApiUrl ?? hub.state.origin;
  const link = await documentUrl(base, `/fax/${job.id}/pdf`, hub.config.pdfTokenSecret ?? '', job.id, DOCUMENT_LINK_MINUTES);
  return {
    type: 'offer',
    offerId: job.offerId!,
    jobId: job.id,
    to: job.toNumber,
    headerText: job.headerText,
    pages: job.pages,
    documentUrl: link.url,
    ...(document ? { document } : {}),
    acceptBy: job.offerExpiresAt?.getTime() ?? Date.now() + hub.config.agents.offerTimeoutMs,
  };
}

// What both providers' callback routes do once a callback is authenticated: apply a sent fax's
// report through the lifecycle, store a received fax once (fetching its PDF after the answer when
// the callback carried none), and audit callbacks about faxes we do not know.
import type { Context } from 'hono';
import type { AppEnv } from '../../context.ts';
import { clientIp } from '../../lib/client-ip.ts';
import { log } from '../../lib/log.ts';
import { schedulerStub } from '../../lifecycle/scheduler-stub.ts';
import { applySentReport, type Applied, type SentReport } from '../../providers/apply-result.ts';
import { fetchPendingDocument, receiveProviderFax, type ReceivedReport } from '../../providers/provider-inbound.ts';
import { providerDownloader } from '../../providers/registry.ts';
import type { AuditEvent } from '../../services/audit-log.ts';

export async function providerAudit(c: Context<AppEnv>, provider: string, event: Pick<AuditEvent, 'action' | 'outcome' | 'details'> & Partial<Pick<AuditEvent, 'resourceType' | 'resourceId'>>): Promise<void> {
  await c.get('services').audit.record({ ...event, actorType: 'provider', actorId: provider, clientIp: clientIp(c), requestId: c.get('requestId') });
}

export async function handleSent(c: Context<AppEnv>, report: SentReport, event: string): Promise<Applied> {
  const services = c.get('services');
  const actor = { type: 'provider' as const, id: report.provider, requestId: c.get('requestId'), clientIp: clientIp(c) };
  const outcome = await applySentReport(services.db(), services.lifecycle, report, actor);
  // The change's outbox event goes to the owner's webhooks (and a retry to the sweep) now.
  if (outcome === 'applied') c.executionCtx.waitUntil(schedulerStub(c.env).kick().catch(() => undefined));
  if (outcome === 'unknown_fax') {
    await providerAudit(c, report.provider, { action: 'provider.callback', outcome: 'failure', details: { reason: 'unknown_fax', event } });
  }
  return outcome;
}

export async function handleReceived(c: Context<AppEnv>, report: ReceivedReport): Promise<{ id: string; created: boolean }> {
  const services = c.get('services');
  const config = c.get('config');
  const { row, created } = await receiveProviderFax(services.documents, { inbound: services.inbound, audit: services.audit, config }, report);
  if (created && row.documentStatus === 'stored') c.executionCtx.waitUntil(schedulerStub(c.env).kick().catch(() => undefined));
  if (row.documentStatus === 'pending') {
    // Durable as 'pending' already: fetch now, after the answer; the scheduler retries if this fails.
    c.executionCtx.waitUntil(
      (async () => {
        const stored = await fetchPendingDocument(services.db(), services.documents, providerDownloader(config), row);
        // Stored: announce it to webhooks now; not yet: the scheduler retries the fetch.
        await schedulerStub(c.env).kick(stored ? undefined : Date.now() + 5000);
      })().catch(() => log('warn', 'inbound document fetch not started', { inbound_id: row.id })),
    );
  }
  return { id: row.id, created };
}

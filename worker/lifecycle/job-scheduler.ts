// One Durable Object for the deployment that runs the recovery sweep on its alarm: at the earliest
// `wake_at` of any open job, and at least every SWEEP_HEARTBEAT_MS, forever. A database outage only
// delays it (the alarm re-arms before any query), so a stranded job moves on within seconds of the
// fault ending. Requests `kick()` it after committing a job; the cron trigger kicks it too. It also
// fetches received faxes' PDFs still pending at their provider, and fans the outbox out to webhooks.
import { DurableObject } from 'cloudflare:workers';
import { loadConfig } from '../config.ts';
import { ObjectDatabase } from '../db/object-database.ts';
import type { Env } from '../env.ts';
import { log } from '../lib/log.ts';
import { AgentRepository } from '../services/agents.ts';
import { createBackend } from '../backends/registry.ts';
import { createLifecycle } from './create-lifecycle.ts';
import { sweep } from './sweep.ts';
import { backendRouter } from '../backends/route-backend.ts';
import { fetchDueDocuments } from '../providers/provider-inbound.ts';
import { providerDownloader } from '../providers/registry.ts';
import { documentStoreFor } from '../services/s3-document-store.ts';
import { fanOutWebhooks } from '../webhooks/fan-out.ts';
import { kickDispatchers } from '../webhooks/dispatcher-stub.ts';

const SWEEP_HEARTBEAT_MS = 15_000;
const RETRY_AFTER_FAILURE_MS = 5_000;
/**
 * After a sweep, the next one waits at least this long, whether a kick or a due wake_at asks for it:
 * under load, jobs committed or falling due meanwhile are served by one sweep of many instead of
 * one sweep each (a sweep's own statements cost about as much as a job's). An idle scheduler (no
 * sweep in the window) still sweeps a kick at once. 100 ms, not 25: with 25 the sandbox bench's
 * completion cost 1.30-1.38x its POSTs' CPU, with 100 0.98-1.04x (docs/benchmarks.md); a hand-off
 * waits at most that much longer, and a SIP job's offer does not wait for the sweep at all.
 */
const COALESCE_MS = 100;

export class JobScheduler extends DurableObject<Env> {
  /**
   * One database pool for the object's lifetime (db/object-database.ts): sweeps reuse a connection
   * instead of paying a new one (and a SCRAM handshake) each time; a broken one is replaced.
   */
  private readonly database = new ObjectDatabase((p) => this.ctx.waitUntil(p), { application: 'faxbot-scheduler' });

  /** The alarm as this object last set it (undefined after an eviction: read it from storage). */
  private alarmAt: number | null | undefined;
  private lastSweepEndedAt = 0;
  /** Set while a sweep runs; a kick meanwhile (a job committed after the sweep's queries) is remembered. */
  private sweeping = false;
  private kickedWhileSweeping = false;

  private async armAt(when: number): Promise<void> {
    await this.ctx.storage.setAlarm(when);
    this.alarmAt = when;
  }

  /** Run the sweep at `at` (default now) unless it is already due sooner. */
  async kick(at?: number): Promise<void> {
    const now = Date.now();
    const when = Math.max(at ?? now, now, this.lastSweepEndedAt + COALESCE_MS);
    if (this.sweeping) this.kickedWhileSweeping = true;
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
    if (this.alarmAt === null || this.alarmAt > when) await this.armAt(when);
  }

  override async alarm(): Promise<void> {
    // Re-arm first: whatever happens below, the sweep comes back.
    await this.armAt(Date.now() + RETRY_AFTER_FAILURE_MS);
    const config = loadConfig(this.env);
    if (!config.databaseUrl) return;
    this.sweeping = true;
    this.kickedWhileSweeping = false;
    try {
      await this.database.use(config.databaseUrl, config.databaseWsProxy, async (db) => {
        const agents = new AgentRepository(db);
        const lifecycle = createLifecycle(db, config);
        const backend = (name: string) => createBackend(name, this.env, config, agents);
        const deps = { db, lifecycle, backend, route: backendRouter(config, agents, backend) };
        let result = await sweep(deps);
        // A full batch means more is due now.
        for (let i = 0; i < 5 && result.processed >= 100; i++) result = await sweep(deps);
        // Received faxes whose PDF is still to be fetched from their provider.
        const fetchAt = await fetchDueDocuments(db(), documentStoreFor(config), providerDownloader(config));
        // Client webhooks: record the outbox's new events per endpoint, then wake those endpoints.
        const fanned = await fanOutWebhooks(db());
        await kickDispatchers(this.env, fanned.endpoints);
        const now = Date.now();
        const wake = Math.min(result.nextWakeAt?.getTime() ?? Infinity, fetchAt?.getTime() ?? Infinity, fanned.more ? now : Infinity);
        // A job committed while this sweep ran may be past its queries: sweep again shortly.
        const next = Math.min(wake, now + SWEEP_HEARTBEAT_MS, this.kickedWhileSweeping ? now + COALESCE_MS : Infinity);
        this.lastSweepEndedAt = now;
        await this.armAt(Math.max(next, now + COALESCE_MS));
      });
    } catch (err) {
      // The retry comes from the alarm set above; a broken pool was already retired by use().
      log('warn', 'sweep failed; retrying', { error: (err as Error).name, retry_in_ms: RETRY_AFTER_FAILURE_MS });
    } finally {
      this.sweeping = false;
    }
  }
}

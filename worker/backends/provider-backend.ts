// A cloud provider (Phaxio, Sinch) as a fax backend on the job lifecycle. A due job starts an
// attempt first (durable), then is submitted with our job and attempt as a tag, and the provider's
// fax id is recorded. A submit whose answer was lost is looked up by that tag before anything is sent
// again, so a provider is never asked twice for one attempt. Results come from the provider's
// callbacks (routes/callbacks/) and, as a backstop, from the sweep polling the fax here.
import type { FaxAttemptRow, FaxJobRow } from '../db/schema.ts';
import type { JobLifecycle } from '../lifecycle/job-lifecycle.ts';
import { log } from '../lib/log.ts';
import type { DocumentStore } from '../services/document-store.ts';
import { ProviderError } from '../providers/provider-http.ts';
import type { ProviderApi, ProviderState } from '../providers/provider-api.ts';
import type { FaxBackend, PollResult } from './fax-backend.ts';

/** Until the provider's result arrives by callback, the sweep asks this often. */
const POLL_MS = 60_000;
/** An attempt without a provider fax id is looked up (and resubmitted if absent) after this long. */
const RECONCILE_AFTER_MS = 15_000;
/** A provider that stays unreachable before anything was submitted: the attempt ends, to be retried. */
const GIVE_UP_UNSUBMITTED_MS = 10 * 60_000;

export class ProviderBackend implements FaxBackend {
  readonly name: string;
  private readonly api: ProviderApi;
  /** The job's document (the store itself is not kept: docs-s3-policy.test.ts follows its calls). */
  private readonly readDocument: (job: FaxJobRow) => ReturnType<DocumentStore['get']>;

  constructor(api: ProviderApi, documents: DocumentStore) {
    this.api = api;
    this.name = api.name;
    this.readDocument = (job) => documents.get(job.documentKey);
  }

  async configured() {
    const missing = this.api.missing();
    return missing.length === 0 ? ({ ok: true, detail: `${this.name} credentials set` } as const) : ({ ok: false, reason: `missing ${missing.join(', ')}` } as const);
  }

  async handOff(job: FaxJobRow, lifecycle: JobLifecycle): Promise<Date | null> {
    const now = Date.now();
    if (this.api.missing().length > 0) return new Date(now + POLL_MS);
    const started = await lifecycle.startAttempt(job.id, { backend: this.name, checkAt: new Date(now + RECONCILE_AFTER_MS) });
    if (!started.started) return new Date(now + (started.why === 'destination_busy' ? 30_000 : 5_000));
    await this.submit(started.job, started.attempt, lifecycle);
    // The attempt's start set wake_at (checkAt: the reconcile time), or its end did.
    return null;
  }

  /** Submits attempt `attempt` of `job`; an uncertain failure is reconciled by tag before a resend. */
  async submit(job: FaxJobRow, attempt: number, lifecycle: JobLifecycle): Promise<void> {
    const doc = await this.readDocument(job);
    if (!doc) {
      await lifecycle.finishAttempt(job.id, { result: 'failed', reason: 'download_failed' }, { failureDetail: 'document no longer stored' });
      return;
    }
    const pdf = new Uint8Array(await new Response(doc.body).arrayBuffer());
    for (let i = 0; i < 3; i++) {
      try {
        const ref = await this.api.submit(job, attempt, pdf);
        await lifecycle.recordProviderRef(job.id, attempt, ref);
        return;
      } catch (err) {
        if (!(err instanceof ProviderError)) {
          const rejected = this.api.rejection(err);
          if (!rejected) throw err;
          log('warn', 'provider refused the fax', { fax_id: job.id, provider: this.name, reason: rejected.reason });
          await lifecycle.finishAttempt(job.id, { result: 'failed', reason: rejected.reason }, { failureDetail: rejected.detail });
          return;
        }
        log('warn', 'provider submit failed', { fax_id: job.id, provider: this.name, status: err.status, uncertain: err.uncertain });
        if (!err.uncertain) return; // rate limited past our patience: the sweep comes back
        const found = await this.api.find(job, attempt).catch(() => undefined);
        if (found === undefined) return; // cannot tell yet: reconciled on the next poll
        if (found) {
          await lifecycle.recordProviderRef(job.id, attempt, found.ref);
          return;
        }
        // Confirmed absent at the provider: sending again cannot double it.
      }
    }
  }

  async poll(job: FaxJobRow, attempt: FaxAttemptRow | undefined, lifecycle?: JobLifecycle): Promise<PollResult> {
    const now = Date.now();
    if (!attempt || !lifecycle) return { recheckAt: new Date(now + POLL_MS) };
    let ref = job.providerRef && attempt.providerRef === job.providerRef ? job.providerRef : null;
    let state: ProviderState | null = null;
    if (!ref) {
      if (now - attempt.startedAt.getTime() < RECONCILE_AFTER_MS) return { recheckAt: new Date(attempt.startedAt.getTime() + RECONCILE_AFTER_MS) };
      const found = await this.api.find(job, attempt.number).catch(() => undefined);
      if (found === undefined) return { recheckAt: new Date(now + RECONCILE_AFTER_MS) };
      if (!found) {
        if (now - attempt.startedAt.getTime() > GIVE_UP_UNSUBMITTED_MS) return { outcome: { result: { result: 'failed', reason: 'backend_unavailable' }, line: { failureDetail: 'never accepted by the provider' } } };
        await this.submit(job, attempt.number, lifecycle);
        return { recheckAt: new Date(now + RECONCILE_AFTER_MS) };
      }
      await lifecycle.recordProviderRef(job.id, attempt.number, found.ref);
      ref = found.ref;
      state = found.state;
    }
    state ??= await this.api.status(ref).catch(() => null);
    if (!state || state.kind === 'pending') return { recheckAt: new Date(now + POLL_MS) };
    if (state.kind === 'retrying') {
      await lifecycle.providerRetry(job.id, ref, state.retry, state.outcome, state.line);
      return { recheckAt: new Date(now + POLL_MS) };
    }
    return { outcome: { result: state.outcome, line: state.line } };
  }

  async cancel(job: FaxJobRow): Promise<void> {
    // Queued jobs were never submitted; a job in flight at the provider is asked to stop.
    if (job.providerRef && job.status === 'in_progress') await this.api.cancel(job.providerRef).catch(() => undefined);
  }
}

// Outbound jobs as the edge sees them: accept/reject offers within MAX_CHANNELS (journal `accepted` durably
// before `accept`), dial grants, revokes, results kept in the journal until `result_ack`, restart recovery
// (a job found `dialing` is reported with an unknown outcome, never dialled again) and shutdown suspension.
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { AgentMessageBody, EdgeMessage, JobResult } from '../shared/agent-protocol.ts';
import { maskNumber } from '../shared/mask-number.ts';
import type { BackoffOptions } from './ami/backoff.ts';
import { jobFiles, newActiveJob, runJob, sendProgress } from './job-run.ts';
import { WarmGhostscript } from './ghostscript.ts';
import { T38Fallback } from './t38-fallback.ts';
import type { ActiveJob, JobRunContext } from './job-run.ts';
import type { Journal, JournalEntry } from './journal.ts';
import { errorMessage } from './logger.ts';
import type { Logger } from './logger.ts';
import type { AgentMetrics } from './metrics.ts';
import type { DialAmi, DialSettings } from './outbound-call.ts';
import { toJobResult } from './outbound-call.ts';
import { trackFaxCall, type FaxCallResult } from './ami/fax-call.ts';

type Offer = Extract<EdgeMessage, { type: 'offer' }>;
type JobRef = { jobId: string; offerId: string };

export const RESTART_FAX_ERROR = 'agent restarted during the call; outcome unknown';
/** A re-attached call is awaited at least this long (its own deadline may be nearly spent). */
const REATTACH_MIN_MS = 30_000;

function lostResult(channelId: string | undefined): JobResult {
  return { status: 'failed', reason: 'agent_lost_during_call', faxError: RESTART_FAX_ERROR, ...(channelId ? { uniqueid: channelId } : {}) };
}

export interface JobRunnerOptions {
  journal: Journal;
  ami: DialAmi;
  /** Sends to the edge if connected (false otherwise: results stay in the journal and are resent). */
  send: (msg: AgentMessageBody) => boolean;
  logger: Logger;
  metrics: AgentMetrics;
  maxChannels: number;
  spoolDir: string;
  asteriskSpoolDir: string;
  paperSize: 'letter' | 'a4';
  dial: DialSettings;
  downloadBackoff?: BackoffOptions;
}

export class JobRunner {
  readonly #o: JobRunnerOptions;
  readonly #log: Logger;
  readonly #ctx: JobRunContext;
  readonly #ghostscript: WarmGhostscript;
  readonly #active = new Map<string, ActiveJob>();
  #accepting = true;
  #toResume: JournalEntry[] = [];
  #waiters: Array<() => void> = [];

  constructor(options: JobRunnerOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'jobs' });
    const outDir = path.join(options.spoolDir, 'outbound');
    this.#ghostscript = new WarmGhostscript(outDir, options.paperSize);
    this.#ctx = {
      ...options, log: this.#log, outDir,
      onPhase: () => (options.metrics.callsInFlight = this.callsInFlight),
      t38: new T38Fallback(path.join(options.spoolDir, 't38-fallback.json')),
      ghostscript: this.#ghostscript,
    };
  }

  /** Jobs running (preparing, waiting for the dial grant or dialling): each holds a channel. */
  get activeCount(): number {
    return this.#active.size;
  }

  get callsInFlight(): number {
    return [...this.#active.values()].filter((j) => j.phase === 'dialing').length;
  }

  /** Results in the journal that the edge has not acknowledged yet. */
  get pendingResults(): number {
    return this.#o.journal.all().filter((e) => e.state === 'done').length;
  }

  /**
   * Startup: `accepted` jobs are resumed later; a `dialing` job is never dialled again, but its call
   * may still be up (Asterisk keeps it through our restart, and a new AMI session sees nothing of it
   * until it ends): it is re-attached by its channel id and its real end events are awaited. If
   * Asterisk says the channel is gone, or the call's deadline passes without an end, the outcome is
   * reported unknown.
   */
  async recover(): Promise<void> {
    // Asterisk reads the TIFFs from here: group-readable (run the agent with Asterisk's group, see agent/README.md).
    await mkdir(this.#ctx.outDir, { recursive: true, mode: 0o750 });
    for (const name of await readdir(this.#ctx.outDir)) await rm(path.join(this.#ctx.outDir, name), { force: true });
    this.#ghostscript.start(); // after the clean-up above: its output file lives in outDir
    for (const e of this.#o.journal.all()) {
      if (e.state === 'accepted') this.#toResume.push(e);
      if (e.state !== 'dialing') continue;
      if (!e.channelId) {
        const job = this.#track(e);
        await this.#finish(job, lostResult(undefined), e.to);
        this.#untrack(job);
        continue;
      }
      const job = this.#track(e);
      job.phase = 'dialing';
      this.#log.warn('job was dialling when the agent stopped: re-attaching to its call, never dialling it again', { jobId: e.jobId });
      void this.#reattach(e as JournalEntry & { channelId: string })
        .then((result) => this.#finish(job, result, e.to))
        .catch((err: unknown) => this.#log.error('re-attach failed', { jobId: e.jobId, error: errorMessage(err) }))
        .finally(() => this.#untrack(job));
    }
  }

  async #reattach(e: JournalEntry & { channelId: string }): Promise<JobResult> {
    const ami = this.#o.ami;
    const { dial } = this.#ctx;
    const remaining = Math.max(REATTACH_MIN_MS, dial.deadlineMs - (Date.now() - e.updatedAt));
    const tracker = trackFaxCall(ami, { channelId: e.channelId, deadlineMs: remaining, settleMs: dial.settleMs, lostMs: dial.lostMs });
    let resolveGone!: (r: FaxCallResult) => void;
    const gone = new Promise<FaxCallResult>((resolve) => (resolveGone = resolve));
    const ask = (): void => {
      void ami.channelExists?.(e.channelId).then((exists) => {
        if (exists !== false) return; // up (its end will come) or cannot ask (wait for the end or the deadline)
        tracker.cancel();
        resolveGone({ status: 'failed' });
      });
    };
    if (ami.connected) ask();
    const onConnected = (): void => ask();
    ami.on('connected', onConnected);
    try {
      const call = await Promise.race([tracker.result, gone]);
      // No end seen (gone while we were away, or the deadline): the outcome cannot be known.
      if (call.reason === 'timeout' || (!call.reason && call.status === 'failed')) return lostResult(e.channelId);
      this.#log.info('re-attached call ended', { jobId: e.jobId, status: call.status, reason: call.reason });
      return toJobResult({ ...call, uniqueid: e.channelId });
    } finally {
      ami.off('connected', onConnected);
    }
  }

  /** Restarts jobs accepted before a restart (call after the first `hello`: the edge may revoke or grant them). */
  resumeAccepted(): void {
    const entries = this.#toResume;
    this.#toResume = [];
    for (const saved of entries) {
      const e = this.#o.journal.get(saved.jobId);
      if (!e || e.state !== 'accepted' || this.#active.has(e.jobId)) continue;
      this.#log.info('resuming a job accepted before the restart', { jobId: e.jobId });
      this.#start(this.#track(e), e);
    }
  }

  /** After (re)connecting: resend unacknowledged results and repeat dial-grant requests that may have been lost. */
  afterHello(): void {
    for (const e of this.#o.journal.all()) if (e.state === 'done' && e.result) this.#sendResult(e, e.result);
    for (const job of this.#active.values()) if (job.phase === 'awaiting_grant') sendProgress(this.#ctx, job, 'dialing');
  }

  /** Shutdown, once no job runs: stops the pre-started Ghostscript. */
  async close(): Promise<void> {
    await this.#ghostscript.close();
  }

  stopAccepting(): void {
    this.#accepting = false;
  }

  /** Shutdown: jobs not dialling yet stop and stay `accepted` in the journal (resumed on the next start). */
  suspendUndialled(): void {
    for (const job of this.#active.values()) {
      if (job.phase === 'dialing') continue;
      job.suspended = true;
      job.abort.abort(new Error('agent shutting down'));
    }
  }

  async handleOffer(offer: Offer, edgeNow: number = Date.now()): Promise<void> {
    const { jobId, offerId } = offer;
    const existing = this.#o.journal.get(jobId);
    if (existing) return this.#duplicateOffer(offer, existing);
    const reject = (reason: string): void => {
      this.#log.info('offer rejected', { jobId, reason });
      this.#o.send({ type: 'reject', jobId, offerId, reason });
    };
    if (!this.#accepting) return reject('shutting_down');
    if (offer.acceptBy < edgeNow) return reject('offer_expired');
    if (!this.#o.ami.connected) return reject('asterisk_unavailable');
    if (this.#active.size >= this.#o.maxChannels) return reject('no_free_channel');
    const entry = { jobId, offerId, state: 'accepted' as const, to: offer.to, headerText: offer.headerText, documentUrl: offer.documentUrl };
    const job = this.#track(entry); // reserves the channel before the first await
    try {
      await this.#o.journal.put(entry);
    } catch (err) {
      this.#untrack(job);
      this.#log.error('journal write failed: rejecting the offer', { jobId, error: errorMessage(err) });
      return reject('journal_write_failed');
    }
    if (job.revoked) return this.#untrack(job);
    if (offer.document) job.document = Buffer.from(offer.document, 'base64');
    this.#o.send({ type: 'accept', jobId, offerId });
    this.#log.info('offer accepted', { jobId, to: maskNumber(offer.to), pages: offer.pages });
    this.#start(job, entry);
  }

  /** The edge granted the dial (answer to progress `dialing`, or re-sent after a reconnect). */
  handleDialOk(ref: JobRef): void {
    const job = this.#active.get(ref.jobId);
    if (!job || job.offerId !== ref.offerId || job.phase === 'dialing' || job.granted) return;
    job.granted = true;
    job.onGrant?.();
  }

  /** Drops a job that is not dialling yet; once dialling the call is followed to its end. */
  async handleRevoke(ref: JobRef): Promise<void> {
    const e = this.#o.journal.get(ref.jobId);
    const job = this.#active.get(ref.jobId);
    if (!e || e.offerId !== ref.offerId || e.state !== 'accepted' || job?.phase === 'dialing') {
      this.#log.info('revoke ignored', { jobId: ref.jobId, state: e?.state ?? 'unknown' });
      return;
    }
    if (job) {
      job.revoked = true;
      job.abort.abort(new Error('offer revoked'));
    }
    await this.#o.journal.delete(ref.jobId);
    const files = jobFiles(this.#ctx.outDir, ref.jobId);
    await rm(files.pdf, { force: true });
    await rm(files.tiff, { force: true });
    this.#log.info('job revoked before dialling', { jobId: ref.jobId });
  }

  async handleResultAck(ref: JobRef): Promise<void> {
    const e = this.#o.journal.get(ref.jobId);
    if (!e || e.state !== 'done' || e.offerId !== ref.offerId) return;
    await this.#o.journal.delete(ref.jobId);
    this.#log.debug('result acknowledged', { jobId: ref.jobId });
    this.#notify();
  }

  /** Resolves when no job runs and, if `andAcked`, no result waits for its acknowledgement. */
  whenIdle(andAcked = false): Promise<void> {
    const idle = (): boolean => this.#active.size === 0 && (!andAcked || this.pendingResults === 0);
    return new Promise((resolve) => {
      const check = (): void => {
        if (idle()) resolve();
        else this.#waiters.push(check);
      };
      check();
    });
  }

  #duplicateOffer(offer: Offer, e: JournalEntry): void {
    const { jobId, offerId } = offer;
    if (e.state === 'done') {
      if (e.result) this.#sendResult(e, e.result);
      this.#o.send({ type: 'reject', jobId, offerId, reason: 'job_already_done' });
    } else if (e.offerId === offerId) {
      this.#o.send({ type: 'accept', jobId, offerId }); // our accept may have been lost: repeat it, nothing more
    } else {
      this.#o.send({ type: 'reject', jobId, offerId, reason: 'job_already_in_progress' });
    }
    this.#log.warn('duplicate offer for a job already held', { jobId, state: e.state });
  }

  #start(job: ActiveJob, entry: Omit<JournalEntry, 'updatedAt'>): void {
    void runJob(this.#ctx, job, entry)
      .then((result) => (result ? this.#finish(job, result, entry.to) : undefined))
      .catch((err: unknown) => this.#log.error('job bookkeeping failed', { jobId: job.jobId, error: errorMessage(err) }))
      .finally(() => this.#untrack(job));
  }

  async #finish(job: ActiveJob, result: JobResult, to: string | undefined): Promise<void> {
    const entry = { jobId: job.jobId, offerId: job.offerId, state: 'done' as const, result, ...(result.uniqueid ? { channelId: result.uniqueid } : {}) };
    try {
      await this.#o.journal.put(entry);
    } catch (err) {
      this.#log.error('journal write of a result failed (still reporting it)', { jobId: job.jobId, error: errorMessage(err) });
    }
    this.#o.metrics.jobs[result.status] += 1;
    const fields = { jobId: job.jobId, status: result.status, reason: result.reason, pages: result.pages, to: to && maskNumber(to) };
    if (result.status === 'success') this.#log.info('fax sent', fields);
    else this.#log.info('fax failed', { ...fields, faxError: result.faxError });
    this.#sendResult(entry, result);
  }

  #sendResult(ref: JobRef, result: JobResult): void {
    this.#o.send({ type: 'result', jobId: ref.jobId, offerId: ref.offerId, ...result });
  }

  #track(ref: JobRef): ActiveJob {
    const job = newActiveJob(ref.jobId, ref.offerId);
    this.#active.set(ref.jobId, job);
    return job;
  }

  #untrack(job: ActiveJob): void {
    if (this.#active.get(job.jobId) === job) this.#active.delete(job.jobId);
    this.#o.metrics.callsInFlight = this.callsInFlight;
    this.#notify();
  }

  #notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}

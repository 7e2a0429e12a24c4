// The pipeline of one outbound job: download (or write the document the offer carried) -> convert -> progress `dialing` (asks the edge for the dial grant)
// -> wait for `dial_ok` -> journal `dialing` durably -> Originate -> outcome. Revoke/suspend abort it before dialling.
// The grant is asked for only once nothing but the call is left: a job granted and then lost with its agent ends
// `unknown`, while one lost before the grant is offered again (to another agent if need be).
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AgentMessageBody, JobResult } from '../shared/agent-protocol.ts';
import { maskNumber } from '../shared/mask-number.ts';
import type { BackoffOptions } from './ami/backoff.ts';
import { convertPdfToTiff, DocumentError, downloadDocument } from './document.ts';
import type { GhostscriptRunner } from './ghostscript.ts';
import type { Journal, JournalEntry } from './journal.ts';
import { errorMessage } from './logger.ts';
import type { Logger } from './logger.ts';
import { dialFax, toJobResult } from './outbound-call.ts';
import { isT38NegotiationFailure, type T38Fallback } from './t38-fallback.ts';
import type { DialAmi, DialSettings } from './outbound-call.ts';

export interface ActiveJob {
  jobId: string;
  offerId: string;
  /** preparing: download/convert; awaiting_grant: progress `dialing` sent; dialing: journal says dialing. */
  phase: 'preparing' | 'awaiting_grant' | 'dialing';
  /** dial_ok received (possibly before preparation ended, e.g. re-sent by the edge after a reconnect). */
  granted: boolean;
  onGrant?: () => void;
  /** The PDF the offer carried (small new jobs), written instead of downloaded; memory only. */
  document?: Uint8Array;
  /** Dropped on the edge's request: forget it. */
  revoked: boolean;
  /** Stopped by shutdown before dialling: stays `accepted` in the journal, resumed on the next start. */
  suspended: boolean;
  abort: AbortController;
}

export interface JobRunContext {
  journal: Journal;
  ami: DialAmi;
  send: (msg: AgentMessageBody) => boolean;
  log: Logger;
  outDir: string;
  asteriskSpoolDir: string;
  paperSize: 'letter' | 'a4';
  dial: DialSettings;
  downloadBackoff?: BackoffOptions;
  /** Called when the job enters or leaves the dialling phase (metrics). */
  onPhase: () => void;
  /** Destinations that failed T.38 negotiation go out in audio next time. */
  t38?: T38Fallback;
  /** The pre-started Ghostscript (default: a fresh process per conversion). */
  ghostscript?: GhostscriptRunner;
}

export function newActiveJob(jobId: string, offerId: string): ActiveJob {
  return { jobId, offerId, phase: 'preparing', granted: false, revoked: false, suspended: false, abort: new AbortController() };
}

export function jobFiles(outDir: string, jobId: string): { pdf: string; tiff: string } {
  return { pdf: path.join(outDir, `${jobId}.pdf`), tiff: path.join(outDir, `${jobId}.tiff`) };
}

export function sendProgress(ctx: JobRunContext, job: ActiveJob, stage: 'downloading' | 'converting' | 'dialing' | 'transmitting', pages?: number): void {
  ctx.send({ type: 'progress', jobId: job.jobId, offerId: job.offerId, stage, ...(pages === undefined ? {} : { pages }) });
}

/** Runs the job to a result; undefined when it was revoked or suspended (nothing to report). */
export async function runJob(ctx: JobRunContext, job: ActiveJob, entry: Omit<JournalEntry, 'updatedAt'>): Promise<JobResult | undefined> {
  const { jobId } = job;
  const files = jobFiles(ctx.outDir, jobId);
  const signal = job.abort.signal;
  try {
    if (!entry.documentUrl || !entry.to) throw new DocumentError('download_failed', 'no document URL in the journal');
    if (job.document) {
      await writeFile(files.pdf, job.document, { mode: 0o600, signal }).catch((err: unknown) => {
        if (signal.aborted) throw signal.reason;
        throw new DocumentError('download_failed', `could not write the offered document: ${errorMessage(err)}`);
      });
      job.document = undefined;
    } else {
      sendProgress(ctx, job, 'downloading');
      await downloadDocument(entry.documentUrl, files.pdf, { signal, backoff: ctx.downloadBackoff });
    }
    sendProgress(ctx, job, 'converting');
    const pages = await convertPdfToTiff(files.pdf, files.tiff, { paperSize: ctx.paperSize, signal, ghostscript: ctx.ghostscript });
    await rm(files.pdf, { force: true }).catch(() => undefined);
    signal.throwIfAborted();
    if (!job.granted) {
      job.phase = 'awaiting_grant';
      sendProgress(ctx, job, 'dialing', pages); // the edge answers dial_ok (or revoke_offer)
      await waitForGrant(job);
    }
    job.phase = 'dialing'; // from here on a revoke is ignored and the job is never dialled again
    ctx.onPhase();
    const channelId = `${jobId}-${job.offerId.slice(4, 12)}`;
    await ctx.journal.put({ jobId, offerId: job.offerId, state: 'dialing', to: entry.to, headerText: entry.headerText, channelId });
    ctx.log.info('dialling', { jobId, to: maskNumber(entry.to), pages });
    const faxFile = path.posix.join(ctx.asteriskSpoolDir, 'outbound', `${jobId}.tiff`);
    const audioOnly = (await ctx.t38?.audioOnly(entry.to).catch(() => false)) ?? false;
    const call = await dialFax(
      ctx.ami,
      ctx.dial,
      { jobId, to: entry.to, headerText: entry.headerText, faxFile, channelId, ...(audioOnly ? { faxOpts: 'F' } : {}) },
      () => sendProgress(ctx, job, 'transmitting', pages),
      () => ctx.ghostscript?.replenish?.(), // the Originate is at Asterisk: the next spare may take the CPU now
    );
    if (audioOnly && call.t38 === undefined) call.t38 = false;
    if (!audioOnly && isT38NegotiationFailure(call.faxError)) {
      await ctx.t38?.recordNegotiationFailure(entry.to).catch((err: unknown) => ctx.log.warn('t38 memory not saved', { jobId, error: errorMessage(err) }));
      ctx.log.info('T.38 negotiation failed; the next call to this number goes out in audio', { jobId, to: maskNumber(entry.to) });
    }
    return toJobResult(call);
  } catch (err) {
    if (job.revoked || job.suspended) return undefined;
    const result: JobResult =
      err instanceof DocumentError
        ? { status: 'failed', reason: err.reason, faxError: err.message.slice(0, 200) }
        : { status: 'failed', reason: 'failed', faxError: `agent error: ${errorMessage(err)}`.slice(0, 200) };
    ctx.log.warn('job failed', { jobId, reason: result.reason, error: result.faxError });
    return result;
  } finally {
    ctx.ghostscript?.replenish?.();
    // Cleanup must never swallow the result: a failed delete only leaves a temp file behind.
    await rm(files.pdf, { force: true }).catch(() => undefined);
    await rm(files.tiff, { force: true }).catch(() => undefined);
  }
}

function waitForGrant(job: ActiveJob): Promise<void> {
  return new Promise((resolve, reject) => {
    const signal = job.abort.signal;
    if (job.granted) return resolve();
    if (signal.aborted) return reject(signal.reason);
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    job.onGrant = () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    };
  });
}

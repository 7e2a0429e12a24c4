// One outbound fax call through AMI: builds the Originate (channel template, dialplan context, FAXBOT_JOB_ID /
// JOBID, FAXFILE, FAXHEADER, preset ChannelId) and follows it with trackFaxCall to a FaxCallResult.
// Once an Originate may have been queued the call is followed to its end (or deadline), never re-sent.
import type { JobResult } from '../shared/agent-protocol.ts';
import type { AmiEvent, OriginateParams } from './ami/client.ts';
import { AmiActionError, AmiConnectionError } from './ami/errors.ts';
import { trackFaxCall } from './ami/fax-call.ts';
import { originateFields } from './ami/originate.ts';
import type { FaxCallOriginator, FaxCallResult } from './ami/fax-call.ts';

export interface DialSettings {
  channelTemplate: string;
  context: string;
  /** Whole-call budget (ringing + transfer). */
  deadlineMs: number;
  /** Ring timeout of the Originate (default 60 s, never more than the deadline). */
  ringTimeoutMs?: number;
  settleMs?: number;
  /** With AMI lost mid-call: how long until the outcome is declared unknown. */
  lostMs?: number;
}

export interface DialRequest {
  jobId: string;
  /** E.164; PHI, never logged unmasked. */
  to: string;
  headerText: string | null | undefined;
  /** TIFF path as Asterisk sees it. */
  faxFile: string;
  channelId: string;
  /** SendFAX options for the dialplan's FAXOPTS (absent: the dialplan's default "f"; "F": audio only). */
  faxOpts?: string;
}

/** What the call needs from the AMI client (AmiClient satisfies it). */
export interface DialAmi extends FaxCallOriginator {
  readonly connected: boolean;
}

/** `FAXOPT(headerinfo)` takes printable ASCII; Asterisk splits variables on commas and eats quotes/backslashes. */
export function sanitizeHeader(text: string | null | undefined): string {
  if (!text) return '';
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\x00-\x1f\x7f]/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .replace(/[,"\\$]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 50);
}

export function originateParams(s: DialSettings, r: DialRequest): OriginateParams & { channelId: string } {
  const header = sanitizeHeader(r.headerText);
  const local = /^local\//i.test(s.channelTemplate);
  return {
    channel: s.channelTemplate.replaceAll('{number}', r.to),
    context: s.context,
    exten: 's',
    priority: 1,
    timeoutMs: Math.min(s.ringTimeoutMs ?? 60_000, s.deadlineMs),
    // JOBID is what the reference dialplan publishes in its UserEvents; FAXBOT_JOB_ID is the explicit name.
    variables: { FAXBOT_JOB_ID: r.jobId, JOBID: r.jobId, FAXFILE: r.faxFile, ...(header ? { FAXHEADER: header } : {}), ...(r.faxOpts ? { FAXOPTS: r.faxOpts } : {}) },
    channelId: r.channelId,
    ...(local ? { otherChannelId: `${r.channelId}-far` } : {}),
  };
}

/**
 * Originates and resolves with the outcome; never rejects. `onAnswered` fires when the far end picks up,
 * `onQueued` once Asterisk has the Originate (or may have it: sent, then no answer).
 * Not connected / Asterisk refused the Originate -> nothing was dialled: a plain failure.
 */
export async function dialFax(ami: DialAmi, s: DialSettings, r: DialRequest, onAnswered?: () => void, onQueued?: () => void): Promise<FaxCallResult> {
  let params: OriginateParams & { channelId: string };
  try {
    params = originateParams(s, r);
    originateFields(params); // validates (throws on values Asterisk would mangle) before anything is sent
  } catch (err) {
    return { status: 'failed', reason: 'failed', faxError: `invalid dial parameters: ${(err as Error).message}`.slice(0, 200) };
  }
  if (!ami.connected) return notDialled('AMI not connected');
  const actionId = ami.nextActionId();
  const tracker = trackFaxCall(ami, { channelId: r.channelId, actionId, deadlineMs: s.deadlineMs, settleMs: s.settleMs, lostMs: s.lostMs });
  const onEvent = (e: AmiEvent): void => {
    if (e.event.toLowerCase() !== 'originateresponse' || (e.response ?? '').toLowerCase() !== 'success') return;
    if (e.uniqueid === r.channelId || e.actionid === actionId) onAnswered?.();
  };
  ami.on('event', onEvent);
  try {
    await ami.originate({ ...params, actionId });
  } catch (err) {
    if (err instanceof AmiActionError || (err instanceof AmiConnectionError && err.message === 'AMI not connected')) {
      tracker.cancel();
      ami.off('event', onEvent);
      return err instanceof AmiActionError ? notDialled(`Asterisk refused the Originate: ${err.response.message ?? 'no message'}`) : notDialled('AMI not connected');
    }
    // Timeout / connection lost after sending: the call may be up. Follow it to its end or the deadline.
  }
  try {
    onQueued?.();
  } catch {
    // a hook's failure must not end the follow-up of a call that may be up
  }
  try {
    return await tracker.result;
  } finally {
    ami.off('event', onEvent);
  }
}

function notDialled(why: string): FaxCallResult {
  return { status: 'failed', reason: 'failed', faxError: `${why}; nothing was dialled`.slice(0, 200) };
}

/** FaxCallResult -> the protocol's result fields (strings bounded to 200 chars). */
export function toJobResult(r: FaxCallResult): JobResult {
  const out: JobResult = { status: r.status };
  if (r.reason) out.reason = r.reason;
  if (r.faxError) out.faxError = r.faxError.slice(0, 200);
  if (r.pages !== undefined) out.pages = Math.min(r.pages, 10_000);
  if (r.bitrate !== undefined) out.bitrate = Math.min(r.bitrate, 100_000);
  if (r.remoteStationId) out.remoteStationId = r.remoteStationId.slice(0, 200);
  if (r.t38 !== undefined) out.t38 = r.t38;
  if (r.uniqueid) out.uniqueid = r.uniqueid.slice(0, 200);
  return out;
}

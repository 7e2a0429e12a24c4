// The outcome of one outbound fax call and the pure mappings that produce it from AMI fields:
// OriginateResponse Reason codes, Hangup causes, and the dialplan's FaxResult / FaxTxHangup UserEvents.
import type { AmiMessage } from './frame.ts';

export type FaxCallReason = 'busy' | 'no_answer' | 'congestion' | 'rejected' | 'invalid_number' | 'fax_error' | 'call_dropped' | 'timeout' | 'failed' | 'ami_lost_during_call';

export interface FaxCallResult {
  status: 'success' | 'failed';
  reason?: FaxCallReason;
  /** FAXERROR / FAXSTATUSSTRING when SendFAX failed, e.g. "The call dropped prematurely". */
  faxError?: string;
  pages?: number;
  bitrate?: number;
  remoteStationId?: string;
  /** Whether the call used T.38 (the dialplan's FAXMODE), when known. */
  t38?: boolean;
  /** Uniqueid of the sending leg (the preset ChannelId). */
  uniqueid?: string;
}

/**
 * OriginateResponse `Reason`: 5 busy, 8 congestion, 3 no answer (rang until Timeout), anything else failed.
 * Over PJSIP (and through a Local template) busy, congestion and reject all come as Reason 0: then only
 * the Hangup cause tells them apart (see reasonFromEvidence).
 */
export function reasonFromOriginate(reason: string | undefined): FaxCallReason {
  switch (reason?.trim()) {
    case '5':
      return 'busy';
    case '8':
      return 'congestion';
    case '3':
      return 'no_answer';
    default:
      return 'failed';
  }
}

/**
 * Q.850 cause of a leg that was never answered: 17 busy, 34/38/42 congestion, 18/19 no answer,
 * 21 call rejected, 1/28 unallocated or invalid number.
 */
export function reasonFromHangupCause(cause: number | undefined): FaxCallReason {
  switch (cause) {
    case 17:
      return 'busy';
    case 34:
    case 38:
    case 42:
      return 'congestion';
    case 18:
    case 19:
      return 'no_answer';
    case 21:
      return 'rejected';
    case 1:
    case 28:
      return 'invalid_number';
    default:
      return 'failed';
  }
}

/** An unanswered call's reason from all its evidence: a specific OriginateResponse Reason wins, else the Hangup causes. */
export function reasonFromEvidence(originateReason: string | undefined, causes: readonly number[]): FaxCallReason {
  const fromOriginate = reasonFromOriginate(originateReason);
  if (fromOriginate !== 'failed') return fromOriginate;
  for (const cause of causes) {
    const r = reasonFromHangupCause(cause);
    if (r !== 'failed') return r;
  }
  return 'failed';
}

function intOrUndefined(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number.parseInt(v, 10);
  return Number.isNaN(n) ? undefined : n;
}

/**
 * FAXSTATUS `SUCCESS` is success even with FAXERROR `HANGUP` (the far end hung up right after the last page);
 * `FAILED` (what the code sets) and `FAILURE` (what the docs say) are fax errors; an empty status means
 * SendFAX never ran (e.g. the leg was hung up before), reported as a plain failure.
 */
export function faxResultFromUserEvent(e: AmiMessage): FaxCallResult {
  const status = (e.status ?? '').trim().toUpperCase();
  const details: FaxCallResult = { status: 'failed' };
  const pages = intOrUndefined(e.pages);
  const bitrate = intOrUndefined(e.bitrate);
  const remote = (e.remotestationid ?? '').trim();
  if (pages !== undefined) details.pages = pages;
  if (bitrate !== undefined) details.bitrate = bitrate;
  if (remote !== '') details.remoteStationId = remote;
  const mode = (e.mode ?? e.faxmode ?? '').trim().toUpperCase();
  if (mode === 'T38') details.t38 = true;
  else if (mode === 'AUDIO') details.t38 = false;
  // Success is the status (and pages when given), never the error field: a delivered fax often
  // ends with FAXERROR=HANGUP because the receiver hung up first.
  if (status === 'SUCCESS' && pages !== 0) return { ...details, status: 'success' };
  const error = (e.error ?? '').trim() || (e.statusstring ?? '').trim();
  if (status === 'FAILED' || status === 'FAILURE' || status === 'SUCCESS') {
    if (/dropped prematurely/i.test(error)) return { ...details, reason: 'call_dropped', faxError: error };
    return { ...details, reason: 'fax_error', faxError: error || 'unknown fax error' };
  }
  return error ? { ...details, reason: 'failed', faxError: error } : { ...details, reason: 'failed' };
}

// Follows one outbound fax call through AMI events (correlated by the preset ChannelId / ActionID, and
// Linkedid for the other legs) to a single FaxCallResult: the OriginateResponse, every leg's Hangup cause,
// the dialplan's FaxResult UserEvent, the hangup handler's authoritative result, a lost AMI connection
// (re-checked on reconnect; unknown if it cannot be settled) and our own deadline (hang up, 'timeout').
import type { AmiEvent, OriginateParams, Timers } from './client.ts';
import { realTimers } from './session.ts';
import { faxResultFromUserEvent, reasonFromEvidence } from './fax-result.ts';
import type { FaxCallResult } from './fax-result.ts';

export type { FaxCallReason, FaxCallResult } from './fax-result.ts';

/** What fax-call needs from the AMI client (AmiClient satisfies it). */
export interface FaxCallAmi {
  /** 'event' listeners get an AmiEvent; 'connected' / 'disconnected' (the AMI session) none that matter here. */
  on(event: 'event' | 'connected' | 'disconnected', listener: (e: AmiEvent) => void): unknown;
  off(event: 'event' | 'connected' | 'disconnected', listener: (e: AmiEvent) => void): unknown;
  hangup(channel: string): Promise<unknown>;
  /** Whether a channel with this Uniqueid is up; undefined when Asterisk cannot be asked. */
  channelExists?(uniqueid: string): Promise<boolean | undefined>;
}

export interface FaxCallOptions {
  /** Uniqueid preset with Originate's ChannelId: the leg that runs SendFAX. */
  channelId: string;
  /** ActionID of the Originate: matches an OriginateResponse whose Uniqueid is `<unknown>`. */
  actionId?: string;
  /** Whole-call budget (dialling + transfer) in ms; when it runs out the channel is hung up. */
  deadlineMs: number;
  /** How long to wait for a late OriginateResponse / final event once the leg is gone (default 3000). */
  settleMs?: number;
  /** With the AMI connection lost mid-call: how long until the outcome is declared unknown (default 25 s). */
  lostMs?: number;
  /** UserEvent names used by the dialplan (defaults match extensions.conf.example). */
  resultEvent?: string;
  hangupResultEvent?: string;
  timers?: Timers;
}

export interface FaxCallTracker {
  readonly result: Promise<FaxCallResult>;
  /** Stops listening (no hangup); the result promise stays pending forever. */
  cancel(): void;
}

export const AMI_LOST_DETAIL = 'AMI connection lost during the call; outcome unknown';

/**
 * Starts listening at once; attach it BEFORE sending the Originate so no event is missed. The outcome
 * comes from all of the call's evidence: the OriginateResponse (matched by ActionID or Uniqueid), the
 * Hangup causes of every leg of the call (Uniqueid or Linkedid = the ChannelId, so the far legs of a
 * Local template count), and the dialplan's UserEvents; never from the first failure alone.
 */
export function trackFaxCall(ami: FaxCallAmi, options: FaxCallOptions): FaxCallTracker {
  const timers = options.timers ?? realTimers;
  const settleMs = options.settleMs ?? 3000;
  const lostMs = options.lostMs ?? 25_000;
  const resultName = (options.resultEvent ?? 'FaxResult').toLowerCase();
  const hangupName = (options.hangupResultEvent ?? 'FaxTxHangup').toLowerCase();
  const { channelId, actionId } = options;
  /** The call's ids: the preset ChannelId, and the OriginateResponse's Uniqueid if Asterisk ignored it. */
  const ids = new Set([channelId]);

  let done = false;
  let answered = false;
  let legGone = false;
  let originateFailure: string | undefined;
  const causes: number[] = [];
  let faxResult: FaxCallResult | undefined;
  let settleTimer: unknown;
  let lostTimer: unknown;
  let resolveResult!: (r: FaxCallResult) => void;
  const result = new Promise<FaxCallResult>((resolve) => {
    resolveResult = resolve;
  });

  const stop = (): void => {
    done = true;
    ami.off('event', onEvent);
    ami.off('disconnected', onDisconnected);
    ami.off('connected', onConnected);
    timers.clearTimeout(deadlineTimer);
    if (settleTimer !== undefined) timers.clearTimeout(settleTimer);
    if (lostTimer !== undefined) timers.clearTimeout(lostTimer);
  };
  const finish = (r: FaxCallResult): void => {
    if (done) return;
    stop();
    resolveResult({ ...r, uniqueid: channelId });
  };
  const settle = (): void => {
    if (settleTimer !== undefined) timers.clearTimeout(settleTimer);
    settleTimer = timers.setTimeout(() => finish(fallbackResult()), settleMs);
  };
  const fallbackResult = (): FaxCallResult => {
    if (faxResult) return faxResult;
    if (answered) {
      const cause = causes.length ? ` (hangup cause ${causes[0]})` : '';
      return { status: 'failed', reason: 'failed', faxError: `call ended without a fax result${cause}` };
    }
    return { status: 'failed', reason: reasonFromEvidence(originateFailure, causes) };
  };
  const lost = (): FaxCallResult => ({ status: 'failed', reason: 'ami_lost_during_call', faxError: AMI_LOST_DETAIL });

  const mine = (e: AmiEvent): boolean => (e.uniqueid !== undefined && ids.has(e.uniqueid)) || (e.linkedid !== undefined && ids.has(e.linkedid));

  function onEvent(e: AmiEvent): void {
    if (done) return;
    const name = e.event.toLowerCase();
    if (name === 'originateresponse') {
      const byAction = actionId !== undefined && e.actionid === actionId;
      if (!byAction && !(e.uniqueid !== undefined && ids.has(e.uniqueid))) return;
      // ChannelId ignored (older Asterisk, another dial plugin): follow the Uniqueid it reports.
      if (byAction && e.uniqueid && e.uniqueid !== '<unknown>' && !ids.has(e.uniqueid)) ids.add(e.uniqueid);
      if ((e.response ?? '').toLowerCase() === 'success') {
        answered = true;
        if (legGone) settle();
        return;
      }
      originateFailure = e.reason ?? '0';
      // The Hangup causes may still follow (the order varies): decide once they had a moment.
      if (legGone) finish(fallbackResult());
      else settle();
      return;
    }
    if (!mine(e)) return;
    if (name === 'userevent') {
      const ue = (e.userevent ?? '').toLowerCase();
      if (ue === hangupName) {
        finish(faxResultFromUserEvent(e)); // the hangup handler always runs last: authoritative
      } else if (ue === resultName) {
        faxResult = faxResultFromUserEvent(e);
        settle(); // wait for the hangup handler / Hangup, but not forever
      }
      return;
    }
    if (name === 'hangup' || name === 'hanguprequest' || name === 'softhanguprequest') {
      const cause = Number.parseInt(e.cause ?? '', 10);
      // 0 / 16 are normal clearing; the first other cause of any leg is the call's reason.
      if (!Number.isNaN(cause) && cause !== 0 && cause !== 16 && !causes.includes(cause)) causes.push(cause);
      if (name !== 'hangup' || !(e.uniqueid !== undefined && ids.has(e.uniqueid))) return;
      legGone = true;
      if (faxResult || answered) finish(fallbackResult());
      else if (originateFailure !== undefined) finish(fallbackResult());
      else settle(); // busy / no answer: OriginateResponse may still follow the Hangups
    }
  }

  function onDisconnected(): void {
    if (done || lostTimer !== undefined) return;
    // Asterisk crashed or the connection dropped: events of this call may never come. Re-check on
    // reconnect; if nothing settles it in time, say the outcome is unknown.
    lostTimer = timers.setTimeout(() => finish(lost()), lostMs);
  }

  function onConnected(): void {
    if (done || lostTimer === undefined || !ami.channelExists) return;
    void ami.channelExists(channelId).then(
      (exists) => {
        if (done) return;
        if (exists === true) {
          // Still up: its end events will come on this connection.
          timers.clearTimeout(lostTimer);
          lostTimer = undefined;
        } else if (exists === false) {
          // Gone while we were away: its end was missed.
          finish(lost());
        }
      },
      () => undefined,
    );
  }

  const deadlineTimer = timers.setTimeout(() => {
    if (done) return;
    stop();
    ami
      .hangup(channelId)
      .catch(() => undefined) // already gone or AMI down: the call is over for us either way
      .then(() => resolveResult({ status: 'failed', reason: 'timeout', uniqueid: channelId }));
  }, options.deadlineMs);

  ami.on('event', onEvent);
  ami.on('disconnected', onDisconnected);
  ami.on('connected', onConnected);
  return { result, cancel: stop };
}

/** What placeFaxCall needs from the AMI client. */
export interface FaxCallOriginator extends FaxCallAmi {
  nextActionId(): string;
  originate(params: OriginateParams): Promise<{ actionId: string }>;
}

/**
 * Originates one fax call and resolves with its outcome. Rejects only if Asterisk refused to queue the
 * Originate (not connected, permission, bad parameters): then nothing was dialled.
 */
export async function placeFaxCall(
  ami: FaxCallOriginator,
  params: OriginateParams & { channelId: string },
  options: Omit<FaxCallOptions, 'channelId' | 'actionId'>,
): Promise<FaxCallResult> {
  const actionId = params.actionId ?? ami.nextActionId();
  const tracker = trackFaxCall(ami, { ...options, channelId: params.channelId, actionId });
  try {
    await ami.originate({ ...params, actionId });
  } catch (err) {
    tracker.cancel();
    throw err;
  }
  return tracker.result;
}

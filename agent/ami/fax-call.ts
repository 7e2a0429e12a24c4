// Follows one outbound fax call through AMI events (correlated by the preset ChannelId / ActionID) to a single
// FaxCallResult: OriginateResponse failures, the dialplan's FaxResult UserEvent, the hangup handler's
// authoritative result, the leg's Hangup, and our own deadline (hang up, report 'timeout').
import type { AmiEvent, OriginateParams, Timers } from './client.ts';
import { realTimers } from './session.ts';
import { faxResultFromUserEvent, reasonFromHangupCause, reasonFromOriginate } from './fax-result.ts';
import type { FaxCallResult } from './fax-result.ts';

export type { FaxCallReason, FaxCallResult } from './fax-result.ts';

/** What fax-call needs from the AMI client (AmiClient satisfies it). */
export interface FaxCallAmi {
  on(event: 'event', listener: (e: AmiEvent) => void): unknown;
  off(event: 'event', listener: (e: AmiEvent) => void): unknown;
  hangup(channel: string): Promise<unknown>;
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

/** Starts listening at once; attach it BEFORE sending the Originate so no event is missed. */
export function trackFaxCall(ami: FaxCallAmi, options: FaxCallOptions): FaxCallTracker {
  const timers = options.timers ?? realTimers;
  const settleMs = options.settleMs ?? 3000;
  const resultName = (options.resultEvent ?? 'FaxResult').toLowerCase();
  const hangupName = (options.hangupResultEvent ?? 'FaxTxHangup').toLowerCase();
  const { channelId, actionId } = options;

  let done = false;
  let answered = false;
  let legGone = false;
  let hangupCause: number | undefined;
  let faxResult: FaxCallResult | undefined;
  let settleTimer: unknown;
  let resolveResult!: (r: FaxCallResult) => void;
  const result = new Promise<FaxCallResult>((resolve) => {
    resolveResult = resolve;
  });

  const stop = (): void => {
    done = true;
    ami.off('event', onEvent);
    timers.clearTimeout(deadlineTimer);
    if (settleTimer !== undefined) timers.clearTimeout(settleTimer);
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
      const cause = hangupCause === undefined ? '' : ` (hangup cause ${hangupCause})`;
      return { status: 'failed', reason: 'failed', faxError: `call ended without a fax result${cause}` };
    }
    return { status: 'failed', reason: reasonFromHangupCause(hangupCause) };
  };

  function onEvent(e: AmiEvent): void {
    if (done) return;
    const name = e.event.toLowerCase();
    const ours = e.uniqueid === channelId;
    if (name === 'originateresponse') {
      if (!ours && !(actionId !== undefined && e.actionid === actionId)) return;
      if ((e.response ?? '').toLowerCase() === 'success') {
        answered = true;
        if (legGone) settle();
        return;
      }
      finish({ status: 'failed', reason: reasonFromOriginate(e.reason) });
      return;
    }
    if (!ours) return;
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
    if (name === 'hangup') {
      legGone = true;
      const cause = Number.parseInt(e.cause ?? '', 10);
      hangupCause = Number.isNaN(cause) ? undefined : cause;
      if (faxResult || answered) finish(fallbackResult());
      else settle(); // busy / no answer: OriginateResponse may still follow the Hangups
    }
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

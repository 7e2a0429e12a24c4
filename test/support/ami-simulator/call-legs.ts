// State of one simulated outbound call: its legs (Local ;1/;2 as in the lab, or a single channel for other
// technologies), their FAX* variables, and helpers that build its events; call.ts scripts the outcomes.
import { faxAppEvent, hangup, originateResponse } from './events.ts';
import type { Leg, SimEvent } from './events.ts';
import { emptyVars, RX_SPOOL, RX_STATION, rxHangupEvent, TX_STATION, txHangupEvent } from './dialplan.ts';
import { parseCallerId, parseLocalDial } from './scenarios.ts';
import type { OriginateRequest, Scenario } from './scenarios.ts';

export interface CallHost {
  readonly timeScale: number;
  publish(events: SimEvent[]): void;
  nextChannelSeq(): number;
  newUniqueid(): string;
  ended(call: CallLegs): void;
}

export interface SimCallRecord {
  request: OriginateRequest;
  scenario: Scenario;
  txUniqueid: string;
  rxUniqueid?: string;
  state: 'queued' | 'ringing' | 'up' | 'ended';
  hangupRequested: boolean;
  /** When the Originate action arrived (epoch ms), for latency benchmarks. */
  receivedAt: number;
  outcome?: 'success' | 'busy' | 'congestion' | 'no_answer' | 'unreachable' | 'fax_failed' | 'hangup';
}

export class CallLegs {
  readonly record: SimCallRecord;
  /** The leg that runs the Originate's context (SendFAX); its Uniqueid is the ChannelId. */
  readonly tx: Leg;
  /** The far leg of a Local channel (Uniqueid = OtherChannelId); absent for trunk channels. */
  readonly rx: Leg | undefined;
  protected readonly host: CallHost;
  protected readonly req: OriginateRequest;
  protected readonly dialString: string;
  /** The far end is the lab's faxrx leg, running ReceiveFAX and its own UserEvents. */
  protected readonly farRunsFax: boolean;
  protected txVars = emptyVars(TX_STATION);
  protected rxVars = emptyVars(RX_STATION);
  protected exists = false;
  protected answered = false;
  protected txGone = false;
  protected rxGone = false;
  readonly #onSyncResult: ((ok: boolean) => void) | undefined;
  #originateReported = false;

  constructor(host: CallHost, req: OriginateRequest, scenario: Scenario, onSyncResult?: (ok: boolean) => void) {
    this.host = host;
    this.req = req;
    this.#onSyncResult = onSyncResult;
    const seq = host.nextChannelSeq().toString(16).padStart(8, '0');
    const txId = req.channelId ?? host.newUniqueid();
    const unknown = '<unknown>';
    const base = { state: 0, priority: 1, callerIdNum: unknown, callerIdName: unknown, connectedNum: unknown, connectedName: unknown };
    const local = parseLocalDial(req.channel);
    if (local) {
      const name = `Local/${local.exten}@${local.context}-${seq}`;
      const where = { context: local.context, exten: local.exten, linkedid: txId };
      this.tx = { ...base, ...where, channel: `${name};1`, uniqueid: txId };
      this.rx = { ...base, ...where, state: 4, channel: `${name};2`, uniqueid: req.otherChannelId ?? host.newUniqueid() };
      this.dialString = local.dialString;
    } else {
      const [tech = 'PJSIP', resource = ''] = req.channel.split('/', 2);
      const endpoint = resource.slice(resource.indexOf('@') + 1);
      const where = { context: req.context, exten: req.exten, linkedid: txId };
      this.tx = { ...base, ...where, channel: `${tech}/${endpoint}-${seq}`, uniqueid: txId };
      this.rx = undefined;
      this.dialString = resource;
    }
    this.farRunsFax = this.rx !== undefined && (scenario.kind === 'success' || scenario.kind === 'fail_mid_page');
    this.record = {
      request: req, scenario, txUniqueid: this.tx.uniqueid, rxUniqueid: this.rx?.uniqueid, state: 'queued',
      hangupRequested: false, receivedAt: Date.now(),
    };
  }

  /** A live leg by channel name or Uniqueid (what Action: Hangup accepts). */
  findLeg(nameOrId: string): Leg | undefined {
    if (!this.exists) return undefined;
    for (const [leg, gone] of [[this.tx, this.txGone], [this.rx, this.rxGone]] as const) {
      if (leg && !gone && (leg.channel === nameOrId || leg.uniqueid === nameOrId)) return leg;
    }
    return undefined;
  }

  /** OriginateResponse for an async Originate (once); a sync Originate gets its deferred response instead. */
  protected reportOriginate(success: boolean, reason: number): SimEvent[] {
    if (this.#originateReported) return [];
    this.#originateReported = true;
    if (!this.req.async) {
      this.#onSyncResult?.(success);
      return [];
    }
    const { num, name } = parseCallerId(this.req.callerId);
    const { actionId, context, exten } = this.req;
    // On failure Asterisk reports the dial string, not a channel name.
    const channel = success ? this.tx.channel : this.req.channel;
    const uniqueid = this.tx.uniqueid;
    return [originateResponse({ actionId, success, channel, context, exten, reason, uniqueid, callerIdNum: num, callerIdName: name })];
  }

  protected sendFax = (): SimEvent => faxAppEvent('SendFAX', this.tx, this.txVars, this.faxFile());
  protected receiveFax = (rx: Leg): SimEvent => faxAppEvent('ReceiveFAX', rx, this.rxVars, this.rxFile());
  protected txHangup = (cause: number): SimEvent => txHangupEvent(this.tx, this.jobId(), this.txVars, cause);
  protected rxHangup = (rx: Leg, cause: number): SimEvent =>
    rxHangupEvent(rx, this.jobId(), this.rxVars, cause, this.rxFile());

  protected hangupTx(cause: number): SimEvent {
    this.txGone = true;
    return hangup(this.tx, cause);
  }

  protected hangupRx(cause: number): SimEvent {
    this.rxGone = true;
    return hangup(this.rx as Leg, cause);
  }

  protected end(outcome: SimCallRecord['outcome']): void {
    this.record.state = 'ended';
    this.record.outcome ??= outcome;
    this.host.ended(this);
  }

  protected publish(events: SimEvent[]): void {
    if (events.length > 0) this.host.publish(events);
  }

  protected remoteStation(): string {
    const s = this.record.scenario;
    return ('remoteStationId' in s && s.remoteStationId) || RX_STATION;
  }

  protected statusEvents = (): boolean => (this.req.variables.FAXOPTS ?? '').includes('s');
  protected jobId = (): string => this.req.variables.JOBID ?? '';
  protected faxFile = (): string => this.req.variables.FAXFILE ?? '';
  protected rxFile = (): string => `${RX_SPOOL}/rx-${this.rx?.uniqueid ?? ''}.tif`;
}

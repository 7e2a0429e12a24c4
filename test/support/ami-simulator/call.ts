// One simulated outbound call from an Originate: its legs (Local ;1/;2 as in the lab, or a single channel for
// other technologies), the scripted timeline of its Scenario, and its reaction to Action: Hangup.
import { chanEvent, dialBegin, dialStatus, faxAppEvent, faxStatus, faxVarFields, hangup, hangupRequest } from './events.ts';
import { localBridge, newCallerid, originateResponse, userEvent } from './events.ts';
import type { FaxVars, Leg, SimEvent } from './events.ts';
import { parseCallerId, parseLocalDial } from './scenarios.ts';
import type { OriginateRequest, Scenario } from './scenarios.ts';
import { Timeline } from './timeline.ts';
import type { Step } from './timeline.ts';

export interface CallHost {
  readonly timeScale: number;
  publish(events: SimEvent[]): void;
  nextChannelSeq(): number;
  newUniqueid(): string;
  ended(call: SimCall): void;
}

export interface SimCallRecord {
  request: OriginateRequest;
  scenario: Scenario;
  txUniqueid: string;
  rxUniqueid?: string;
  state: 'queued' | 'ringing' | 'up' | 'ended';
  hangupRequested: boolean;
  outcome?: 'success' | 'busy' | 'congestion' | 'no_answer' | 'unreachable' | 'fax_failed' | 'hangup';
}

const TX_STATION = 'LAB-TX-5552000';
const RX_STATION = 'LAB-RX-5551000';
const DROPPED = 'The call dropped prematurely';
const RX_SPOOL = '/var/spool/asterisk/fax';

const emptyVars = (local: string): FaxVars => ({
  status: '', error: '', statusString: '', pages: 0, bitrate: 0, resolution: '', remoteStationId: '', localStationId: local,
});

export class SimCall {
  readonly record: SimCallRecord;
  readonly tx: Leg;
  readonly rx: Leg | undefined;
  readonly #host: CallHost;
  readonly #req: OriginateRequest;
  readonly #timeline: Timeline;
  readonly #dialString: string;
  readonly #farRunsFax: boolean;
  readonly #onSyncResult: ((ok: boolean) => void) | undefined;
  #txVars = emptyVars(TX_STATION);
  #rxVars = emptyVars(RX_STATION);
  #exists = false;
  #answered = false;
  #originateReported = false;
  #txGone = false;
  #rxGone = false;

  constructor(host: CallHost, req: OriginateRequest, scenario: Scenario, onSyncResult?: (ok: boolean) => void) {
    this.#host = host;
    this.#req = req;
    this.#onSyncResult = onSyncResult;
    this.#timeline = new Timeline(host.timeScale);
    const seq = host.nextChannelSeq().toString(16).padStart(8, '0');
    const local = parseLocalDial(req.channel);
    const txId = req.channelId ?? host.newUniqueid();
    const base = { state: 0, priority: 1, callerIdNum: '<unknown>', callerIdName: '<unknown>', connectedNum: '<unknown>', connectedName: '<unknown>' };
    if (local) {
      const name = `Local/${local.exten}@${local.context}-${seq}`;
      this.tx = { ...base, channel: `${name};1`, context: local.context, exten: local.exten, uniqueid: txId, linkedid: txId };
      this.rx = {
        ...base, state: 4, channel: `${name};2`, context: local.context, exten: local.exten,
        uniqueid: req.otherChannelId ?? host.newUniqueid(), linkedid: txId,
      };
      this.#dialString = local.dialString;
    } else {
      const [tech = 'PJSIP', resource = ''] = req.channel.split('/', 2);
      const endpoint = resource.includes('@') ? resource.slice(resource.indexOf('@') + 1) : resource;
      this.tx = { ...base, channel: `${tech}/${endpoint}-${seq}`, context: req.context, exten: req.exten, uniqueid: txId, linkedid: txId };
      this.rx = undefined;
      this.#dialString = resource;
    }
    this.#farRunsFax = this.rx !== undefined && (scenario.kind === 'success' || scenario.kind === 'fail_mid_page');
    this.record = {
      request: req, scenario, txUniqueid: this.tx.uniqueid, rxUniqueid: this.rx?.uniqueid, state: 'queued', hangupRequested: false,
    };
  }

  start(): void {
    this.#timeline.run([[3, () => this.#setup()]]);
  }

  /** A live leg by channel name or Uniqueid (what Action: Hangup accepts). */
  findLeg(nameOrId: string): Leg | undefined {
    if (!this.#exists) return undefined;
    for (const [leg, gone] of [[this.tx, this.#txGone], [this.rx, this.#rxGone]] as const) {
      if (leg && !gone && (leg.channel === nameOrId || leg.uniqueid === nameOrId)) return leg;
    }
    return undefined;
  }

  /** Action: Hangup on one of our legs. */
  hangupLeg(leg: Leg, cause: number): void {
    this.record.hangupRequested = true;
    this.#timeline.cancel();
    const rx = this.rx && !this.#rxGone ? this.rx : undefined;
    if (!this.#answered) {
      const evs = [hangupRequest('HangupRequest', leg, cause)];
      if (!this.#txGone) evs.push(this.#hangupTx(cause));
      evs.push(...this.#reportOriginate(false, 1));
      if (rx) evs.push(this.#hangupRx(cause));
      this.#publish(evs);
      return this.#end('hangup');
    }
    if (leg !== this.tx) return this.#farEndDrops(cause, cause, 0, 'hangup');
    // fax_hangup_tx.txt: the sender reports first, then the receiver notices the drop.
    this.#txVars = this.#failedVars(TX_STATION, this.#farRunsFax ? this.#remoteStation() : '', 0);
    this.#publish([faxAppEvent('SendFAX', this.tx, this.#txVars, this.#faxFile()), hangupRequest('SoftHangupRequest', this.tx, cause), this.#txHangupEvent(cause)]);
    this.#publish([...(rx ? [hangupRequest('HangupRequest', rx, cause)] : []), this.#hangupTx(cause)]);
    if (!rx) return this.#end('hangup');
    this.#timeline.run([[20, () => {
      if (this.#farRunsFax) {
        this.#rxVars = this.#failedVars(RX_STATION, '', 0);
        this.#publish([faxAppEvent('ReceiveFAX', rx, this.#rxVars, this.#rxFile())]);
        this.#publish([hangupRequest('SoftHangupRequest', rx, 16)]);
        this.#publish([this.#rxHangupEvent(16), this.#hangupRx(16)]);
      } else this.#publish([this.#hangupRx(cause)]);
      this.#end('hangup');
    }]]);
  }

  cancel(): void {
    this.#timeline.cancel();
  }

  #setup(): void {
    const { tx, rx } = this;
    this.#exists = true;
    this.record.state = 'ringing';
    const evs: SimEvent[] = [chanEvent('Newchannel', tx)];
    if (rx) evs.push(chanEvent('Newchannel', rx));
    if (this.#req.callerId) {
      const cid = parseCallerId(this.#req.callerId);
      for (const leg of rx ? [tx, rx] : [tx]) {
        leg.callerIdNum = cid.num;
        leg.callerIdName = cid.name;
        if (leg === rx) [leg.connectedNum, leg.connectedName] = [cid.num, cid.name];
        evs.push(newCallerid(leg));
        [leg.connectedNum, leg.connectedName] = [cid.num, cid.name];
        evs.push(chanEvent('NewConnectedLine', leg));
      }
    }
    const kind = this.record.scenario.kind;
    if (kind === 'unreachable') {
      evs.push(...this.#reportOriginate(false, 0));
      if (rx) evs.push(this.#hangupRx(0));
      evs.push(this.#hangupTx(0));
      this.#publish(evs);
      return this.#end('unreachable');
    }
    if (rx) evs.push(localBridge(tx, rx));
    evs.push(dialBegin(tx, this.#dialString));
    this.#publish(evs);
    this.#timeline.run(this.#outcomeSteps());
  }

  #outcomeSteps(): Step[] {
    const { tx, rx } = this;
    const s = this.record.scenario;
    switch (s.kind) {
      case 'busy':
      case 'congestion': {
        const busy = s.kind === 'busy';
        return [[2, () => {
          const evs: SimEvent[] = [];
          if (rx) {
            rx.state = 7;
            evs.push(chanEvent('Newstate', rx));
          }
          evs.push(dialStatus('DialEnd', tx, busy ? 'BUSY' : 'CONGESTION'));
          if (!busy) evs.push(...this.#reportOriginate(false, 8));
          if (rx) evs.push(hangupRequest('HangupRequest', rx, 0), hangupRequest('SoftHangupRequest', rx, 16));
          if (rx && busy) evs.push(this.#hangupRx(17));
          evs.push(this.#hangupTx(rx ? 0 : busy ? 17 : 34));
          if (rx && !busy) evs.push(this.#hangupRx(34));
          if (busy) evs.push(...this.#reportOriginate(false, 5));
          this.#publish(evs);
          this.#end(s.kind);
        }]];
      }
      case 'no_answer':
        return [
          [2, () => {
            tx.state = 5;
            this.#publish([chanEvent('Newstate', tx), dialStatus('DialState', tx, 'RINGING')]);
          }],
          [this.#req.timeoutMs, () => {
            const evs: SimEvent[] = [];
            if (rx) {
              rx.priority = 2;
              evs.push(hangupRequest('HangupRequest', rx, 19));
            }
            evs.push(this.#hangupTx(19), ...this.#reportOriginate(false, 3));
            this.#publish(evs);
            if (rx) this.#publish([hangupRequest('SoftHangupRequest', rx, 16), this.#hangupRx(19)]);
            this.#end('no_answer');
          }],
        ];
      default:
        return [[2, () => this.#answer()], ...this.#transferSteps()];
    }
  }

  #answer(): void {
    const { tx, rx } = this;
    this.#answered = true;
    this.record.state = 'up';
    const evs: SimEvent[] = [];
    if (rx) {
      rx.state = 6;
      rx.priority = this.#farRunsFax ? 3 : 1;
      evs.push(chanEvent('Newstate', rx));
    }
    tx.state = 6;
    evs.push(chanEvent('Newstate', tx), dialStatus('DialEnd', tx, 'ANSWER'));
    [tx.context, tx.exten, tx.priority] = [this.#req.context, this.#req.exten, 5];
    if (this.#statusEvents()) {
      for (const st of ['Allocating Resources', 'FAX Transmission In Progress']) evs.push(faxStatus(tx, 'send', st, TX_STATION, this.#faxFile()));
    }
    evs.push(...this.#reportOriginate(true, 4));
    this.#publish(evs);
    if (rx && this.#farRunsFax) {
      rx.priority = 6;
      if (this.#statusEvents()) {
        this.#publish(['Allocating Resources', 'FAX Transmission In Progress'].map((st) => faxStatus(rx, 'receive', st, RX_STATION, this.#rxFile())));
      }
    }
  }

  #transferSteps(): Step[] {
    const s = this.record.scenario;
    if (s.kind === 'silent') return s.hangupAfterMs === undefined ? [] : [[s.hangupAfterMs, () => this.#farEndDrops(0, 0, 0, 'fax_failed')]];
    if (s.kind === 'fail_mid_page') return [[s.afterMs ?? 5000, () => this.#farEndDrops(16, 16, s.pagesSent ?? 0, 'fax_failed')]];
    if (s.kind !== 'success') return [];
    const pages = s.pages ?? 1;
    const ok = (local: string, remote: string): FaxVars => ({
      status: 'SUCCESS', error: '', statusString: 'OK', pages, bitrate: s.bitrate ?? 14400, resolution: '8031x7700', remoteStationId: remote, localStationId: local,
    });
    const transferMs = 2500 + pages * (s.msPerPage ?? 20_000);
    const { tx, rx } = this;
    const txDone = (hhOnly: boolean): void => {
      this.#txVars = ok(TX_STATION, this.#remoteStation());
      if (hhOnly) this.#txVars.error = 'HANGUP';
    };
    if (s.hangupHandlerOnly) {
      // fax_ok.txt: the receiver hangs up at once, so the sender is hung up before SendFAX returns.
      return [
        [transferMs, () => {
          if (rx) {
            this.#rxVars = ok(RX_STATION, TX_STATION);
            this.#publish([faxAppEvent('ReceiveFAX', rx, this.#rxVars, this.#rxFile())]);
            rx.priority = 7;
            const received = this.#rxReceivedEvent();
            rx.priority = 9;
            this.#publish([received, hangupRequest('SoftHangupRequest', rx, 16)]);
            this.#publish([this.#rxHangupEvent(16)]);
            this.#publish([hangupRequest('HangupRequest', tx, 16), this.#hangupRx(16)]);
          } else this.#publish([hangupRequest('HangupRequest', tx, 16)]);
        }],
        [18, () => {
          txDone(true);
          this.#publish([faxAppEvent('SendFAX', tx, this.#txVars, this.#faxFile()), hangupRequest('SoftHangupRequest', tx, 16), this.#txHangupEvent(16), this.#hangupTx(16)]);
          this.#end('success');
        }],
      ];
    }
    // fax_ok_rxhold.txt: SendFAX returns, FaxResult fires, then the hangup handler.
    return [
      [transferMs, () => {
        if (!rx) return;
        this.#rxVars = ok(RX_STATION, TX_STATION);
        this.#publish([faxAppEvent('ReceiveFAX', rx, this.#rxVars, this.#rxFile())]);
        rx.priority = 7;
        this.#publish([this.#rxReceivedEvent()]);
      }],
      [rx ? 1055 : 0, () => {
        txDone(false);
        this.#publish([faxAppEvent('SendFAX', tx, this.#txVars, this.#faxFile())]);
        tx.priority = 6;
        const evs = [userEvent(tx, 'FaxResult', [...faxVarFields(this.#jobId(), this.#txVars), ['LocalStationID', TX_STATION]])];
        tx.priority = 7;
        evs.push(hangupRequest('SoftHangupRequest', tx, 16), this.#txHangupEvent(16));
        if (rx) {
          rx.priority = 8;
          evs.push(hangupRequest('HangupRequest', rx, 16), hangupRequest('SoftHangupRequest', rx, 16));
        }
        evs.push(this.#hangupTx(16));
        this.#publish(evs);
        if (rx) this.#publish([this.#rxHangupEvent(16), this.#hangupRx(16)]);
        this.#end('success');
      }],
    ];
  }

  /** The far end goes away mid-call (fax_hangup_rx, far_voice): the receiver reports first, then the sender. */
  #farEndDrops(rxCause: number, txCause: number, pagesSent: number, outcome: SimCallRecord['outcome']): void {
    const { tx, rx } = this;
    const remote = this.#farRunsFax ? this.#remoteStation() : '';
    this.#txVars = this.#failedVars(TX_STATION, remote, pagesSent);
    if (rx && this.#farRunsFax) {
      this.#rxVars = this.#failedVars(RX_STATION, '', pagesSent);
      this.#publish([faxAppEvent('ReceiveFAX', rx, this.#rxVars, this.#rxFile()), hangupRequest('SoftHangupRequest', rx, 16), this.#rxHangupEvent(rxCause), hangupRequest('HangupRequest', tx, txCause), this.#hangupRx(rxCause)]);
    } else if (rx) {
      this.#publish([hangupRequest('SoftHangupRequest', rx, 16), hangupRequest('HangupRequest', tx, txCause)]);
      this.#publish([this.#hangupRx(rxCause)]);
    } else {
      this.#publish([hangupRequest('HangupRequest', tx, txCause)]);
    }
    this.#timeline.run([[17, () => {
      this.#publish([faxAppEvent('SendFAX', tx, this.#txVars, this.#faxFile()), hangupRequest('SoftHangupRequest', tx, 16), this.#txHangupEvent(txCause), this.#hangupTx(txCause)]);
      this.#end(outcome);
    }]]);
  }

  #failedVars(local: string, remote: string, pages: number): FaxVars {
    return { status: 'FAILED', error: DROPPED, statusString: DROPPED, pages, bitrate: 14400, resolution: remote ? '8031x7700' : '0x0', remoteStationId: remote, localStationId: local };
  }

  #reportOriginate(success: boolean, reason: number): SimEvent[] {
    if (this.#originateReported) return [];
    this.#originateReported = true;
    if (!this.#req.async) {
      this.#onSyncResult?.(success);
      return [];
    }
    const cid = parseCallerId(this.#req.callerId);
    return [originateResponse({
      actionId: this.#req.actionId, success, channel: success ? this.tx.channel : this.#req.channel,
      context: this.#req.context, exten: this.#req.exten, reason, uniqueid: this.tx.uniqueid, callerIdNum: cid.num, callerIdName: cid.name,
    })];
  }

  #txHangupEvent(cause: number): SimEvent {
    const { tx } = this;
    const saved = [tx.context, tx.priority] as const;
    [tx.context, tx.priority] = ['faxtx-hh', 1];
    const ev = userEvent(tx, 'FaxTxHangup', [...faxVarFields(this.#jobId(), this.#txVars), ['HangupCause', String(cause)]]);
    [tx.context, tx.priority] = saved;
    return ev;
  }

  #rxReceivedEvent(): SimEvent {
    const rx = this.rx as Leg;
    return userEvent(rx, 'FaxReceived', [['RxUniqueid', rx.uniqueid], ...faxVarFields(this.#jobId(), this.#rxVars), ['LocalStationID', RX_STATION], ['File', this.#rxFile()]]);
  }

  #rxHangupEvent(cause: number): SimEvent {
    const rx = this.rx as Leg;
    const saved = [rx.context, rx.priority] as const;
    [rx.context, rx.priority] = ['faxrx-hh', 1];
    const ev = userEvent(rx, 'FaxRxHangup', [...faxVarFields(this.#jobId(), this.#rxVars), ['HangupCause', String(cause)], ['File', this.#rxFile()]]);
    [rx.context, rx.priority] = saved;
    return ev;
  }

  #hangupTx(cause: number): SimEvent {
    this.#txGone = true;
    return hangup(this.tx, cause);
  }

  #hangupRx(cause: number): SimEvent {
    this.#rxGone = true;
    return hangup(this.rx as Leg, cause);
  }

  #end(outcome: SimCallRecord['outcome']): void {
    this.record.state = 'ended';
    this.record.outcome ??= outcome;
    this.#host.ended(this);
  }

  #publish(events: SimEvent[]): void {
    if (events.length > 0) this.#host.publish(events);
  }

  #remoteStation(): string {
    const s = this.record.scenario;
    return ('remoteStationId' in s && s.remoteStationId) || RX_STATION;
  }

  #statusEvents(): boolean {
    return (this.#req.variables.FAXOPTS ?? '').includes('s');
  }

  #jobId = (): string => this.#req.variables.JOBID ?? '';
  #faxFile = (): string => this.#req.variables.FAXFILE ?? '';
  #rxFile = (): string => `${RX_SPOOL}/rx-${this.rx?.uniqueid ?? ''}.tif`;
}

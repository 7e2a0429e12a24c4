// One simulated outbound call from an Originate: the scripted timeline of its Scenario (events in the order of
// the reference transcripts) and its reaction to Action: Hangup. Leg state and event helpers: call-legs.ts.
import { chanEvent, dialBegin, dialStatus, faxStatus, hangupRequest, localBridge, newCallerid } from './events.ts';
import type { Leg, SimEvent } from './events.ts';
import { droppedVars, faxResultEvent, okVars, RX_STATION, rxReceivedEvent, TX_STATION } from './dialplan.ts';
import { CallLegs } from './call-legs.ts';
import type { CallHost, SimCallRecord } from './call-legs.ts';
import { parseCallerId } from './scenarios.ts';
import type { OriginateRequest, Scenario } from './scenarios.ts';
import { Timeline } from './timeline.ts';
import type { Step } from './timeline.ts';

export type { CallHost, SimCallRecord } from './call-legs.ts';

const FAX_STATUSES = ['Allocating Resources', 'FAX Transmission In Progress'];

export class SimCall extends CallLegs {
  readonly #timeline: Timeline;

  constructor(host: CallHost, req: OriginateRequest, scenario: Scenario, onSyncResult?: (ok: boolean) => void) {
    super(host, req, scenario, onSyncResult);
    this.#timeline = new Timeline(host.timeScale);
  }

  start(): void {
    this.#timeline.run([[3, () => this.#setup()]]);
  }

  cancel(): void {
    this.#timeline.cancel();
  }

  /** Action: Hangup on one of our legs. */
  hangupLeg(leg: Leg, cause: number): void {
    this.record.hangupRequested = true;
    this.#timeline.cancel();
    const rx = this.rx && !this.rxGone ? this.rx : undefined;
    if (!this.answered) {
      const evs = [hangupRequest('HangupRequest', leg, cause)];
      if (!this.txGone) evs.push(this.hangupTx(cause));
      evs.push(...this.reportOriginate(false, 1));
      if (rx) evs.push(this.hangupRx(cause));
      this.publish(evs);
      return this.end('hangup');
    }
    if (leg !== this.tx) return this.#farEndDrops(cause, cause, 0, 'hangup');
    // fax_hangup_tx.txt: the sender reports first, then the receiver notices the drop.
    const tx = this.tx;
    this.txVars = droppedVars(TX_STATION, this.farRunsFax ? this.remoteStation() : '', 0);
    this.publish([this.sendFax(), hangupRequest('SoftHangupRequest', tx, cause), this.txHangup(cause)]);
    this.publish([...(rx ? [hangupRequest('HangupRequest', rx, cause)] : []), this.hangupTx(cause)]);
    if (!rx) return this.end('hangup');
    this.#timeline.run([[20, () => {
      if (this.farRunsFax) {
        this.rxVars = droppedVars(RX_STATION, '', 0);
        this.publish([this.receiveFax(rx)]);
        this.publish([hangupRequest('SoftHangupRequest', rx, 16)]);
        this.publish([this.rxHangup(rx, 16), this.hangupRx(16)]);
      } else this.publish([this.hangupRx(cause)]);
      this.end('hangup');
    }]]);
  }

  #setup(): void {
    const { tx, rx } = this;
    this.exists = true;
    this.record.state = 'ringing';
    const evs: SimEvent[] = [chanEvent('Newchannel', tx)];
    if (rx) evs.push(chanEvent('Newchannel', rx));
    if (this.req.callerId) {
      const cid = parseCallerId(this.req.callerId);
      for (const leg of rx ? [tx, rx] : [tx]) {
        [leg.callerIdNum, leg.callerIdName] = [cid.num, cid.name];
        if (leg === rx) [leg.connectedNum, leg.connectedName] = [cid.num, cid.name];
        evs.push(newCallerid(leg));
        [leg.connectedNum, leg.connectedName] = [cid.num, cid.name];
        evs.push(chanEvent('NewConnectedLine', leg));
      }
    }
    if (this.record.scenario.kind === 'unreachable') {
      evs.push(...this.reportOriginate(false, 0));
      if (rx) evs.push(this.hangupRx(0));
      evs.push(this.hangupTx(0));
      this.publish(evs);
      return this.end('unreachable');
    }
    if (rx) evs.push(localBridge(tx, rx));
    evs.push(dialBegin(tx, this.dialString));
    this.publish(evs);
    this.#timeline.run(this.#outcomeSteps());
  }

  #outcomeSteps(): Step[] {
    const { tx, rx } = this;
    const s = this.record.scenario;
    if (s.kind === 'busy' || s.kind === 'congestion') {
      const busy = s.kind === 'busy';
      return [[2, () => {
        const evs: SimEvent[] = [];
        if (rx) {
          rx.state = 7;
          evs.push(chanEvent('Newstate', rx));
        }
        evs.push(dialStatus('DialEnd', tx, busy ? 'BUSY' : 'CONGESTION'));
        if (!busy) evs.push(...this.reportOriginate(false, 8));
        if (rx) evs.push(hangupRequest('HangupRequest', rx, 0), hangupRequest('SoftHangupRequest', rx, 16));
        if (rx && busy) evs.push(this.hangupRx(17));
        evs.push(this.hangupTx(rx ? 0 : busy ? 17 : 34));
        if (rx && !busy) evs.push(this.hangupRx(34));
        if (busy) evs.push(...this.reportOriginate(false, 5));
        this.publish(evs);
        this.end(s.kind);
      }]];
    }
    if (s.kind === 'no_answer') {
      return [
        [2, () => {
          tx.state = 5;
          this.publish([chanEvent('Newstate', tx), dialStatus('DialState', tx, 'RINGING')]);
        }],
        [this.req.timeoutMs, () => {
          const evs: SimEvent[] = [];
          if (rx) {
            rx.priority = 2;
            evs.push(hangupRequest('HangupRequest', rx, 19));
          }
          this.publish([...evs, this.hangupTx(19), ...this.reportOriginate(false, 3)]);
          if (rx) this.publish([hangupRequest('SoftHangupRequest', rx, 16), this.hangupRx(19)]);
          this.end('no_answer');
        }],
      ];
    }
    return [[2, () => this.#answer()], ...this.#transferSteps()];
  }

  #answer(): void {
    const { tx, rx } = this;
    this.answered = true;
    this.record.state = 'up';
    const evs: SimEvent[] = [];
    if (rx) {
      [rx.state, rx.priority] = [6, this.farRunsFax ? 3 : 1];
      evs.push(chanEvent('Newstate', rx));
    }
    tx.state = 6;
    evs.push(chanEvent('Newstate', tx), dialStatus('DialEnd', tx, 'ANSWER'));
    [tx.context, tx.exten, tx.priority] = [this.req.context, this.req.exten, 5]; // SendFAX in faxtx
    if (this.statusEvents()) evs.push(...FAX_STATUSES.map((st) => faxStatus(tx, 'send', st, TX_STATION, this.faxFile())));
    this.publish([...evs, ...this.reportOriginate(true, 4)]);
    if (rx && this.farRunsFax) {
      rx.priority = 6; // ReceiveFAX in faxrx
      if (this.statusEvents()) this.publish(FAX_STATUSES.map((st) => faxStatus(rx, 'receive', st, RX_STATION, this.rxFile())));
    }
  }

  #transferSteps(): Step[] {
    const s = this.record.scenario;
    if (s.kind === 'silent') {
      return s.hangupAfterMs === undefined ? [] : [[s.hangupAfterMs, () => this.#farEndDrops(0, 0, 0, 'fax_failed')]];
    }
    if (s.kind === 'fail_mid_page') {
      return [[s.afterMs ?? 5000, () => this.#farEndDrops(16, 16, s.pagesSent ?? 0, 'fax_failed')]];
    }
    if (s.kind !== 'success') return [];
    const { tx, rx } = this;
    const pages = s.pages ?? 1;
    const transferMs = 2500 + pages * (s.msPerPage ?? 20_000);
    const received = (): void => {
      if (!rx) return;
      this.rxVars = okVars(RX_STATION, TX_STATION, pages, s.bitrate);
      this.publish([this.receiveFax(rx)]);
      rx.priority = 7;
    };
    const sent = (): void => {
      this.txVars = okVars(TX_STATION, this.remoteStation(), pages, s.bitrate);
    };
    if (s.hangupHandlerOnly) {
      // fax_ok.txt: the receiver hangs up at once, so the sender is hung up before SendFAX returns.
      return [
        [transferMs, () => {
          received();
          if (rx) {
            const ev = rxReceivedEvent(rx, this.jobId(), this.rxVars, this.rxFile());
            rx.priority = 9;
            this.publish([ev, hangupRequest('SoftHangupRequest', rx, 16)]);
            this.publish([this.rxHangup(rx, 16)]);
            this.publish([hangupRequest('HangupRequest', tx, 16), this.hangupRx(16)]);
          } else this.publish([hangupRequest('HangupRequest', tx, 16)]);
        }],
        [18, () => {
          sent();
          this.txVars.error = 'HANGUP';
          const soft = hangupRequest('SoftHangupRequest', tx, 16);
          this.publish([this.sendFax(), soft, this.txHangup(16), this.hangupTx(16)]);
          this.end('success');
        }],
      ];
    }
    // fax_ok_rxhold.txt: SendFAX returns, FaxResult fires, then the hangup handler.
    return [
      [transferMs, () => {
        received();
        if (rx) this.publish([rxReceivedEvent(rx, this.jobId(), this.rxVars, this.rxFile())]);
      }],
      [rx ? 1055 : 0, () => {
        sent();
        this.publish([this.sendFax()]);
        tx.priority = 6;
        const evs = [faxResultEvent(tx, this.jobId(), this.txVars)];
        tx.priority = 7;
        evs.push(hangupRequest('SoftHangupRequest', tx, 16), this.txHangup(16));
        if (rx) {
          rx.priority = 8;
          evs.push(hangupRequest('HangupRequest', rx, 16), hangupRequest('SoftHangupRequest', rx, 16));
        }
        this.publish([...evs, this.hangupTx(16)]);
        if (rx) this.publish([this.rxHangup(rx, 16), this.hangupRx(16)]);
        this.end('success');
      }],
    ];
  }

  /** The far end goes away mid-call (fax_hangup_rx, far_voice): the receiver reports first, then the sender. */
  #farEndDrops(rxCause: number, txCause: number, pagesSent: number, outcome: SimCallRecord['outcome']): void {
    const { tx, rx } = this;
    this.txVars = droppedVars(TX_STATION, this.farRunsFax ? this.remoteStation() : '', pagesSent);
    const askTx = hangupRequest('HangupRequest', tx, txCause);
    if (rx && this.farRunsFax) {
      this.rxVars = droppedVars(RX_STATION, '', pagesSent);
      const soft = hangupRequest('SoftHangupRequest', rx, 16);
      this.publish([this.receiveFax(rx), soft, this.rxHangup(rx, rxCause), askTx, this.hangupRx(rxCause)]);
    } else if (rx) {
      this.publish([hangupRequest('SoftHangupRequest', rx, 16), askTx]);
      this.publish([this.hangupRx(rxCause)]);
    } else {
      this.publish([askTx]);
    }
    this.#timeline.run([[17, () => {
      const soft = hangupRequest('SoftHangupRequest', tx, 16);
      this.publish([this.sendFax(), soft, this.txHangup(txCause), this.hangupTx(txCause)]);
      this.end(outcome);
    }]]);
  }
}

// What the lab dialplan (extensions.conf.example) adds on top of Asterisk's own events: the FAX* channel
// variables SendFAX/ReceiveFAX leave behind and the UserEvents that publish them (FaxResult, FaxTxHangup...).
import { faxVarFields, userEvent } from './events.ts';
import type { FaxVars, Leg, SimEvent } from './events.ts';

export const TX_STATION = 'LAB-TX-5552000';
export const RX_STATION = 'LAB-RX-5551000';
export const RX_SPOOL = '/var/spool/asterisk/fax';
const DROPPED = 'The call dropped prematurely';

/** Before SendFAX/ReceiveFAX ran: everything empty. */
export const emptyVars = (local: string): FaxVars => ({
  status: '', error: '', statusString: '', pages: 0, bitrate: 0, resolution: '', remoteStationId: '', localStationId: local,
});

export const okVars = (local: string, remote: string, pages: number, bitrate = 14400): FaxVars => ({
  status: 'SUCCESS', error: '', statusString: 'OK', pages, bitrate, resolution: '8031x7700', remoteStationId: remote,
  localStationId: local,
});

/** The peer vanished (fax_hangup_tx/rx, far_voice); no negotiation at all leaves resolution 0x0. */
export const droppedVars = (local: string, remote: string, pages: number): FaxVars => ({
  status: 'FAILED', error: DROPPED, statusString: DROPPED, pages, bitrate: 14400, resolution: remote ? '8031x7700' : '0x0',
  remoteStationId: remote, localStationId: local,
});

/** Runs `build` with the leg temporarily in a hangup-handler context (`<ctx>-hh`, priority 1). */
function inHangupHandler(leg: Leg, context: string, build: () => SimEvent): SimEvent {
  const saved = [leg.context, leg.priority] as const;
  [leg.context, leg.priority] = [context, 1];
  const ev = build();
  [leg.context, leg.priority] = saved;
  return ev;
}

/** `UserEvent(FaxResult, ...)` right after SendFAX returned. */
export const faxResultEvent = (tx: Leg, jobId: string, v: FaxVars): SimEvent =>
  userEvent(tx, 'FaxResult', [...faxVarFields(jobId, v), ['LocalStationID', v.localStationId]]);

/** `UserEvent(FaxTxHangup, ...)` from the sending leg's hangup handler: the authoritative result. */
export const txHangupEvent = (tx: Leg, jobId: string, v: FaxVars, cause: number): SimEvent =>
  inHangupHandler(tx, 'faxtx-hh', () =>
    userEvent(tx, 'FaxTxHangup', [...faxVarFields(jobId, v), ['HangupCause', String(cause)]]),
  );

/** `UserEvent(FaxReceived, ...)` right after ReceiveFAX returned. */
export const rxReceivedEvent = (rx: Leg, jobId: string, v: FaxVars, file: string): SimEvent =>
  userEvent(rx, 'FaxReceived', [
    ['RxUniqueid', rx.uniqueid], ...faxVarFields(jobId, v), ['LocalStationID', v.localStationId], ['File', file],
  ]);

/** `UserEvent(FaxRxHangup, ...)` from the receiving leg's hangup handler. */
export const rxHangupEvent = (rx: Leg, jobId: string, v: FaxVars, cause: number, file: string): SimEvent =>
  inHangupHandler(rx, 'faxrx-hh', () =>
    userEvent(rx, 'FaxRxHangup', [...faxVarFields(jobId, v), ['HangupCause', String(cause)], ['File', file]]),
  );

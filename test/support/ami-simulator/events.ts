// Builders for the AMI events the simulator emits, with the field names and order of the Asterisk 22.10.1
// transcripts in shared/reference/ami (channel snapshot, Dial*, OriginateResponse, SendFAX, UserEvent...).
import type { Pair } from './wire.ts';

export type EventClass = 'call' | 'user' | 'system';

export interface SimEvent {
  cls: EventClass;
  pairs: Pair[];
}

/** One channel (a "leg") as Asterisk snapshots it in events; mutable as the call progresses. */
export interface Leg {
  channel: string;
  state: number;
  context: string;
  exten: string;
  priority: number;
  callerIdNum: string;
  callerIdName: string;
  connectedNum: string;
  connectedName: string;
  uniqueid: string;
  linkedid: string;
}

const STATE_DESC: Record<number, string> = { 0: 'Down', 4: 'Ring', 5: 'Ringing', 6: 'Up', 7: 'Busy' };

export const CAUSE_TXT: Record<number, string> = {
  0: 'Unknown',
  16: 'Normal Clearing',
  17: 'User busy',
  19: 'User alerting, no answer',
  21: 'Call Rejected',
  34: 'Circuit/channel congestion',
};

export function event(name: string, cls: EventClass, fields: readonly Pair[]): SimEvent {
  return { cls, pairs: [['Event', name], ['Privilege', `${cls},all`], ...fields] };
}

export function snapshot(leg: Leg, prefix = ''): Pair[] {
  return [
    [`${prefix}Channel`, leg.channel],
    [`${prefix}ChannelState`, String(leg.state)],
    [`${prefix}ChannelStateDesc`, STATE_DESC[leg.state] ?? 'Unknown'],
    [`${prefix}CallerIDNum`, leg.callerIdNum],
    [`${prefix}CallerIDName`, leg.callerIdName],
    [`${prefix}ConnectedLineNum`, leg.connectedNum],
    [`${prefix}ConnectedLineName`, leg.connectedName],
    [`${prefix}Language`, 'en'],
    [`${prefix}AccountCode`, ''],
    [`${prefix}Context`, leg.context],
    [`${prefix}Exten`, leg.exten],
    [`${prefix}Priority`, String(leg.priority)],
    [`${prefix}Uniqueid`, leg.uniqueid],
    [`${prefix}Linkedid`, leg.linkedid],
  ];
}

export const chanEvent = (name: string, leg: Leg, extra: readonly Pair[] = []): SimEvent =>
  event(name, 'call', [...snapshot(leg), ...extra]);

export const newCallerid = (leg: Leg): SimEvent =>
  chanEvent('NewCallerid', leg, [['CID-CallingPres', '0 (Presentation Allowed, Not Screened)']]);

export function localBridge(one: Leg, two: Leg): SimEvent {
  return event('LocalBridge', 'call', [
    ...snapshot(one, 'LocalOne'),
    ...snapshot(two, 'LocalTwo'),
    ['Context', two.context],
    ['Exten', two.exten],
    ['LocalOptimization', 'No'],
  ]);
}

export const dialBegin = (dest: Leg, dialString: string): SimEvent =>
  event('DialBegin', 'call', [...snapshot(dest, 'Dest'), ['DialString', dialString]]);

/** DialEnd (final status) or DialState (progress such as RINGING). */
export const dialStatus = (name: 'DialEnd' | 'DialState', dest: Leg, status: string): SimEvent =>
  event(name, 'call', [...snapshot(dest, 'Dest'), ['DialStatus', status]]);

export interface OriginateResponseFields {
  actionId?: string;
  success: boolean;
  channel: string;
  context: string;
  exten: string;
  reason: number;
  uniqueid: string;
  callerIdNum: string;
  callerIdName: string;
}

export function originateResponse(f: OriginateResponseFields): SimEvent {
  return event('OriginateResponse', 'call', [
    ...(f.actionId === undefined ? [] : [['ActionID', f.actionId] as const]),
    ['Response', f.success ? 'Success' : 'Failure'],
    ['Channel', f.channel],
    ['Context', f.context],
    ['Exten', f.exten],
    ['Reason', String(f.reason)],
    ['Uniqueid', f.uniqueid],
    ['CallerIDNum', f.callerIdNum],
    ['CallerIDName', f.callerIdName],
  ]);
}

/** The values SendFAX/ReceiveFAX leave in FAXSTATUS, FAXERROR... on a leg. */
export interface FaxVars {
  status: string;
  error: string;
  statusString: string;
  pages: number;
  bitrate: number;
  resolution: string;
  remoteStationId: string;
  localStationId: string;
}

export function faxAppEvent(name: 'SendFAX' | 'ReceiveFAX', leg: Leg, v: FaxVars, fileName: string): SimEvent {
  return chanEvent(name, leg, [
    ['LocalStationID', v.localStationId],
    ['RemoteStationID', v.remoteStationId],
    ['PagesTransferred', String(v.pages)],
    ['Resolution', v.resolution],
    ['TransferRate', String(v.bitrate)],
    ['FileName', fileName],
  ]);
}

export const faxStatus = (leg: Leg, op: 'send' | 'receive', status: string, localId: string, file: string): SimEvent =>
  chanEvent('FAXStatus', leg, [
    ['Operation', op],
    ['Status', status],
    ['LocalStationID', localId],
    ['FileName', file],
  ]);

/** The fields the lab dialplan publishes with UserEvent(...) after SendFAX/ReceiveFAX and from hangup handlers. */
export function faxVarFields(jobId: string, v: FaxVars): Pair[] {
  return [
    ['JobID', jobId],
    ['Status', v.status],
    ['Error', v.error],
    ['StatusString', v.statusString],
    ['Pages', v.status === '' ? '' : String(v.pages)],
    ['Bitrate', v.status === '' ? '' : String(v.bitrate)],
    ['Resolution', v.resolution],
    ['RemoteStationID', v.remoteStationId],
  ];
}

export const userEvent = (leg: Leg, name: string, fields: readonly Pair[]): SimEvent =>
  event('UserEvent', 'user', [...snapshot(leg), ['UserEvent', name], ...fields]);

export const hangupRequest = (name: 'HangupRequest' | 'SoftHangupRequest', leg: Leg, cause: number): SimEvent =>
  chanEvent(name, leg, [['Cause', String(cause)]]);

export const hangup = (leg: Leg, cause: number): SimEvent =>
  chanEvent('Hangup', leg, [
    ['Cause', String(cause)],
    ['Cause-txt', CAUSE_TXT[cause] ?? 'Unknown'],
  ]);

export const fullyBooted = (): SimEvent =>
  event('FullyBooted', 'system', [
    ['Uptime', '12'],
    ['LastReload', '12'],
    ['Status', 'Fully Booted'],
  ]);

// A simulated inbound fax: a trunk channel rings in, ReceiveFAX "writes" a real TIFF into the spool directory,
// and the dialplan publishes UserEvent(FaxReceived) / (FaxRxHangup) with the fields of extensions.conf.example.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chanEvent, faxAppEvent, hangup, hangupRequest } from './events.ts';
import type { Leg, SimEvent } from './events.ts';
import { okVars, RX_STATION, rxHangupEvent, rxReceivedEvent } from './dialplan.ts';
import { buildFaxTiff } from './tiff.ts';
import { Timeline } from './timeline.ts';

export interface InboundFaxOptions {
  /** Caller number (CallerIDNum of the channel). */
  from: string;
  /** Dialled number (the channel's Exten). */
  to: string;
  /** Copy this TIFF instead of generating a one-page one. */
  tiffPath?: string;
  /** Overrides the simulator's spoolDir. */
  spoolDir?: string;
  pages?: number;
  remoteStationId?: string;
  /** Simulated transfer time in ms before timeScale (default 2500 + 20 000 per page). */
  durationMs?: number;
}

export interface InboundFaxResult {
  uniqueid: string;
  channel: string;
  /** Absolute path of the TIFF written into the spool directory. */
  file: string;
}

export interface InboundHost {
  readonly timeScale: number;
  readonly spoolDir: string | undefined;
  publish(events: SimEvent[]): void;
  nextChannelSeq(): number;
  newUniqueid(): string;
}

export function runInboundFax(host: InboundHost, opts: InboundFaxOptions): Promise<InboundFaxResult> {
  const spool = opts.spoolDir ?? host.spoolDir;
  if (!spool) return Promise.reject(new Error('simulateInboundFax needs a spoolDir (option or simulator setting)'));
  const uniqueid = host.newUniqueid();
  const seq = host.nextChannelSeq().toString(16).padStart(8, '0');
  const file = path.resolve(spool, `rx-${uniqueid}.tif`);
  const pages = opts.pages ?? 1;
  const leg: Leg = {
    channel: `PJSIP/trunk-${seq}`, state: 4, context: 'faxrx', exten: opts.to, priority: 1,
    callerIdNum: opts.from, callerIdName: '<unknown>', connectedNum: '<unknown>', connectedName: '<unknown>',
    uniqueid, linkedid: uniqueid,
  };
  const vars = okVars(RX_STATION, opts.remoteStationId ?? '', pages);
  const timeline = new Timeline(host.timeScale);
  return new Promise<InboundFaxResult>((resolve, reject) => {
    const finish = (): void => {
      leg.priority = 6;
      host.publish([faxAppEvent('ReceiveFAX', leg, vars, file)]);
      leg.priority = 7;
      const received = rxReceivedEvent(leg, '', vars, file);
      leg.priority = 9;
      host.publish([received, hangupRequest('SoftHangupRequest', leg, 16)]);
      host.publish([rxHangupEvent(leg, '', vars, 16, file), hangup(leg, 16)]);
      resolve({ uniqueid, channel: leg.channel, file });
    };
    timeline.run([
      [0, () => host.publish([chanEvent('Newchannel', leg)])],
      [2, () => {
        [leg.state, leg.priority] = [6, 3];
        host.publish([chanEvent('Newstate', leg)]);
      }],
      [opts.durationMs ?? 2500 + pages * 20_000, () => {
        writeTiff(spool, file, opts.tiffPath).then(finish, reject);
      }],
    ]);
  });
}

async function writeTiff(spool: string, file: string, source: string | undefined): Promise<void> {
  await mkdir(spool, { recursive: true });
  if (source) await copyFile(source, file);
  else await writeFile(file, buildFaxTiff());
}

// Simulated Asterisk 22 AMI peer for tests: a node:net server speaking AMI like the real transcripts in
// shared/reference/ami, with scripted outbound-call outcomes, inbound faxes and fault injection (drops, silence).
import net from 'node:net';
import { SimCall } from './call.ts';
import type { CallLegs, SimCallRecord } from './call-legs.ts';
import { chanEvent } from './events.ts';
import type { SimEvent } from './events.ts';
import { runInboundFax } from './inbound.ts';
import type { InboundFaxOptions, InboundFaxResult } from './inbound.ts';
import { defaultScenario } from './scenarios.ts';
import type { OriginateRequest, Scenario, ScenarioChooser } from './scenarios.ts';
import { SimSession } from './session.ts';
import type { SimUser } from './session.ts';

export type { Scenario, ScenarioChooser, OriginateRequest } from './scenarios.ts';
export { defaultScenario } from './scenarios.ts';
export type { SimCallRecord } from './call.ts';
export type { SimUser } from './session.ts';
export type { InboundFaxOptions, InboundFaxResult } from './inbound.ts';

export interface AmiSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Defaults to the two users of manager.conf.example (faxbot, monitor). */
  users?: SimUser[];
  /** Multiplies every scripted delay: 0.001 turns a 42 s fax into 42 ms. Default 1 (real time). */
  timeScale?: number;
  /** Delay before "Authentication failed" (Asterisk: ~1 s). Not scaled. Default 1000. */
  authFailDelayMs?: number;
  /** Outcome per Originate: a fixed Scenario or a function of the request. Default: lab dialplan contexts. */
  scenario?: Scenario | ScenarioChooser;
  /** Where simulateInboundFax writes received TIFFs. */
  spoolDir?: string;
  /** Called on each Originate as it arrives (a benchmark waits on it instead of polling `calls`). */
  onOriginate?: (call: SimCallRecord) => void;
}

export interface AmiSimulator {
  readonly host: string;
  readonly port: number;
  /** Every Originate received, in order, with its live state. */
  readonly calls: readonly SimCallRecord[];
  setScenario(scenario: Scenario | ScenarioChooser): void;
  /** Destroys every client socket at once (network drop); calls in progress keep running. */
  dropConnections(): void;
  /** While true, new connections are closed before the banner (Asterisk down). */
  refuseConnections(refuse: boolean): void;
  /** Actions (case-insensitive) the simulator reads but never answers, to provoke client timeouts. */
  ignoreActions(actions: string[]): void;
  simulateInboundFax(opts: InboundFaxOptions): Promise<InboundFaxResult>;
  /** Number of open client connections (logged in or not). */
  connectionCount(): number;
  close(): Promise<void>;
}

export const DEFAULT_USERS: SimUser[] = [
  { username: 'faxbot', secret: 'faxbotsecret', read: ['call', 'user', 'system'], write: ['originate', 'call', 'system'] },
  { username: 'monitor', secret: 'monitorsecret', read: ['all'], write: ['system', 'call'] },
];

export async function startAmiSimulator(opts: AmiSimulatorOptions = {}): Promise<AmiSimulator> {
  const timeScale = opts.timeScale ?? 1;
  const users = opts.users ?? DEFAULT_USERS;
  const sessions = new Set<SimSession>();
  const calls: SimCallRecord[] = [];
  const live = new Set<SimCall>();
  let choose: ScenarioChooser = toChooser(opts.scenario);
  let refuse = false;
  let ignored = new Set<string>();
  let seq = 0;
  let uid = 0;
  const bootSeconds = Math.floor(Date.now() / 1000);

  const publish = (events: SimEvent[]): void => {
    for (const s of sessions) s.deliver(events);
  };
  const core = {
    timeScale,
    spoolDir: opts.spoolDir,
    publish,
    nextChannelSeq: () => ++seq,
    newUniqueid: () => `${bootSeconds}.${uid++}`,
    ended: (call: CallLegs) => {
      live.delete(call as SimCall);
    },
  };

  const server = net.createServer((socket) => {
    if (refuse) {
      socket.destroy();
      return;
    }
    const session = new SimSession(socket, {
      users,
      authFailDelayMs: opts.authFailDelayMs ?? 1000,
      isIgnored: (action) => ignored.has(action),
      originate: (req: OriginateRequest, onSyncResult) => {
        const call = new SimCall(core, req, choose(req), onSyncResult);
        calls.push(call.record);
        opts.onOriginate?.(call.record);
        live.add(call);
        call.start();
      },
      hangup: (channel, cause, accepted) => {
        for (const call of live) {
          const leg = call.findLeg(channel);
          if (!leg) continue;
          accepted();
          call.hangupLeg(leg, cause);
          return true;
        }
        return false;
      },
      liveLegs: () => {
        const out: SimEvent[] = [];
        for (const call of live) {
          for (const leg of [call.tx, call.rx]) if (leg && call.findLeg(leg.uniqueid)) out.push(chanEvent('Status', leg));
        }
        return out;
      },
    });
    sessions.add(session);
    socket.on('close', () => sessions.delete(session));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as net.AddressInfo;

  return {
    host: address.address,
    port: address.port,
    calls,
    setScenario: (s) => {
      choose = toChooser(s);
    },
    dropConnections: () => {
      for (const s of sessions) s.destroy();
    },
    refuseConnections: (r) => {
      refuse = r;
    },
    ignoreActions: (actions) => {
      ignored = new Set(actions.map((a) => a.toLowerCase()));
    },
    simulateInboundFax: (o) => runInboundFax(core, o),
    connectionCount: () => sessions.size,
    close: async () => {
      for (const call of live) call.cancel();
      live.clear();
      for (const s of sessions) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function toChooser(s: Scenario | ScenarioChooser | undefined): ScenarioChooser {
  if (s === undefined) return defaultScenario;
  if (typeof s === 'function') return s;
  return () => s;
}

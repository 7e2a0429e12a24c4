// Replays recorded AMI transcripts (shared/reference/ami) to a real client, byte for byte: one
// recording per successive connection. Asterisk's writes (RECV blocks) go out at the recorded
// timing (time-scaled) relative to the client action they followed; the client's actions (SEND
// blocks) are awaited by their `Action:`. Only the values the client chooses are substituted, as
// learned from its own actions: ActionIDs (per connection), and from the Originate the ChannelId
// (and `<ChannelId>-far`), the job ids and the FAXFILE path, kept across connections so a second
// session sees the same call.
// Scripted, because no recording exists: `Ping` gets a plain Success, `CoreShowChannels` lists no
// channel unless `channelsUp` says so, any other unrecorded action gets `Response: Error`.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { readTranscript, type TranscriptBlock } from './ami-simulator/transcript.ts';

export interface AmiReplayOptions {
  /** Transcript files, one per connection in order. Later connections are refused (closed at once). */
  recordings: string[];
  /** Multiplies the recorded delays (0.01: a 37 s fax in 0.37 s). */
  timeScale: number;
  /** Uniqueids CoreShowChannels reports as up (scripted: not in the recordings). */
  channelsUp?: () => string[];
  /** Extra recorded -> actual substitutions (e.g. a received file's path). */
  substitutions?: Record<string, string>;
  /**
   * Recorded client actions this client never sends (e.g. the lab's own `Hangup` mid-transfer, as an
   * operator would): not awaited; what Asterisk answered and did next is replayed all the same.
   */
  skipActions?: string[];
}

export interface AmiReplay {
  readonly host: string;
  readonly port: number;
  /** How many connections were accepted. */
  readonly connections: number;
  /** Resolves when connection `i` reached the end of its recording (or a client action it never sends, like Logoff). */
  finished(i: number): Promise<void>;
  /** Actions the client sent that the recording does not have (answered by script). */
  readonly unscripted: string[];
  /** The same, as the packets' text. */
  readonly unscriptedPackets: string[];
  close(): Promise<void>;
}

interface Packet {
  text: string;
  fields: Map<string, string>;
}

function parsePacket(text: string): Packet {
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) {
      const key = line.slice(0, i).trim().toLowerCase();
      const value = line.slice(i + 1).trim();
      fields.set(key === 'variable' ? `variable:${value.split('=')[0]}` : key, key === 'variable' ? value.slice(value.indexOf('=') + 1) : value);
    }
  }
  return { text, fields };
}

export async function startAmiReplay(opts: AmiReplayOptions): Promise<AmiReplay> {
  const recordings = opts.recordings.map((f) => readTranscript(f));
  const shared = new Map<string, string>(Object.entries(opts.substitutions ?? {}));
  const unscripted: string[] = [];
  const unscriptedPackets: string[] = [];
  const finishers: Array<{ promise: Promise<void>; resolve: () => void }> = recordings.map(() => {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  });
  const sockets = new Set<net.Socket>();
  let connections = 0;

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const index = connections++;
    const blocks = recordings[index];
    if (!blocks) return void socket.destroy();
    void replay(socket, blocks, shared, opts, unscripted, unscriptedPackets).finally(() => finishers[index]!.resolve());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    get connections() {
      return connections;
    },
    finished: (i) => finishers[i]!.promise,
    unscripted,
    unscriptedPackets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function replay(socket: net.Socket, blocks: TranscriptBlock[], shared: Map<string, string>, opts: AmiReplayOptions, unscripted: string[], unscriptedPackets: string[]): Promise<void> {
  const actionIds = new Map<string, string>();
  const incoming: Packet[] = [];
  let waiter: (() => void) | null = null;
  let buf = '';
  let closed = false;
  socket.on('data', (chunk) => {
    buf += chunk.toString('latin1');
    let end: number;
    while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
      const packet = parsePacket(buf.slice(0, end + 4));
      buf = buf.slice(end + 4);
      if (!answerUnscripted(packet)) incoming.push(packet);
    }
    waiter?.();
  });
  socket.on('close', () => {
    closed = true;
    waiter?.();
  });

  // The recorded blocks we are about to reach, to tell an unrecorded action from an awaited one.
  let expectedActions: string[] = [];
  function answerUnscripted(p: Packet): boolean {
    const action = (p.fields.get('action') ?? '').toLowerCase();
    if (expectedActions.includes(action)) return false;
    const id = p.fields.get('actionid') ?? '';
    unscripted.push(action);
    unscriptedPackets.push(p.text);
    if (action === 'ping') socket.write(`Response: Success\r\nActionID: ${id}\r\nPing: Pong\r\nTimestamp: ${(Date.now() / 1000).toFixed(6)}\r\n\r\n`);
    else if (action === 'coreshowchannels') {
      const up = opts.channelsUp?.() ?? [];
      let out = `Response: Success\r\nActionID: ${id}\r\nEventList: start\r\nMessage: Channels will follow\r\n\r\n`;
      for (const u of up) out += `Event: CoreShowChannel\r\nActionID: ${id}\r\nUniqueid: ${u}\r\nLinkedid: ${u}\r\n\r\n`;
      out += `Event: CoreShowChannelsComplete\r\nActionID: ${id}\r\nEventList: Complete\r\nListItems: ${up.length}\r\n\r\n`;
      socket.write(out);
    } else socket.write(`Response: Error\r\nActionID: ${id}\r\nMessage: Not in the recording\r\n\r\n`);
    return true;
  }

  const nextPacket = async (): Promise<Packet | null> => {
    while (incoming.length === 0) {
      if (closed) return null;
      await new Promise<void>((r) => (waiter = r));
      waiter = null;
    }
    return incoming.shift()!;
  };

  const actionsOf = (b: TranscriptBlock) => [...b.data.matchAll(/^Action: (.*)$/gim)].map((m) => m[1]!.trim().toLowerCase());
  /** The actions of the next SEND block at or after `i`: what the client may send before we get there. */
  const nextActions = (i: number): string[] => {
    for (let k = i; k < blocks.length; k++) if (blocks[k]!.direction === 'SEND') return actionsOf(blocks[k]!);
    return [];
  };
  let anchorAt = 0;
  let anchorWall = Date.now();
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i]!;
    expectedActions = nextActions(i);
    if (block.direction === 'SEND') {
      const recorded = block.data.split('\r\n\r\n').filter((t) => t.trim() !== '').map((t) => parsePacket(`${t}\r\n\r\n`));
      for (const want of recorded) {
        const action = (want.fields.get('action') ?? '').toLowerCase();
        if (action === 'logoff') return; // the agent keeps its session: the recording ends here for it
        if (opts.skipActions?.includes(action)) {
          anchorAt = block.at;
          anchorWall = Date.now();
          continue;
        }
        expectedActions = [action];
        // An action that was queued before it became expected is matched now.
        const early = incoming.findIndex((p) => (p.fields.get('action') ?? '').toLowerCase() === action);
        let got: Packet | null = early >= 0 ? incoming.splice(early, 1)[0]! : null;
        while (!got) {
          const p = await nextPacket();
          if (!p) return;
          if ((p.fields.get('action') ?? '').toLowerCase() === action) got = p;
          else answerUnscriptedLater(p);
        }
        learn(want, got, actionIds, shared);
        anchorAt = block.at;
        anchorWall = Date.now();
      }
      continue;
    }
    if ((block.direction as string) === 'SEND-EOF') continue;
    const due = anchorWall + (block.at - anchorAt) * 1000 * opts.timeScale;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (closed) return;
    if (block.direction === 'RECV-EOF') {
      socket.end();
      return;
    }
    socket.write(substitute(block.data, actionIds, shared), 'latin1');
  }

  function answerUnscriptedLater(p: Packet): void {
    const saved = expectedActions;
    expectedActions = [];
    answerUnscripted(p);
    expectedActions = saved;
  }
}

function learn(recorded: Packet, actual: Packet, actionIds: Map<string, string>, shared: Map<string, string>): void {
  const pair = (key: string, into: Map<string, string>) => {
    const a = recorded.fields.get(key);
    const b = actual.fields.get(key);
    if (a && b && a !== b) into.set(a, b);
  };
  pair('actionid', actionIds);
  for (const key of ['channelid', 'otherchannelid', 'variable:FAXBOT_JOB_ID', 'variable:JOBID', 'variable:FAXFILE']) pair(key, shared);
}

function substitute(data: string, actionIds: Map<string, string>, shared: Map<string, string>): string {
  let out = data.replace(/^ActionID: (.*)$/gm, (line, id: string) => (actionIds.has(id) ? `ActionID: ${actionIds.get(id)}` : line));
  // Longest first: a ChannelId contains its job id, `<ChannelId>-far` contains the ChannelId.
  for (const [from, to] of [...shared.entries()].sort((a, b) => b[0].length - a[0].length)) out = out.split(from).join(to);
  return out;
}

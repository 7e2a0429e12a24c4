// The AMI simulator replayed against the real Asterisk 22 transcripts (test/fixtures/asterisk-ami): login
// exchanges byte for byte, call event sequences and field names per leg, permissions, inbound TIFF.
import net from 'node:net';
import path from 'node:path';
import os from 'node:os';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAmiSimulator } from '../support/ami-simulator/index.ts';
import type { AmiSimulator } from '../support/ami-simulator/index.ts';
import { readTranscript, transcriptPackets } from '../support/ami-simulator/transcript.ts';
import { AMI_RECORDINGS } from '../support/ami-recordings.ts';
import { formatPacket, header, parseLines } from '../support/ami-simulator/wire.ts';
import type { Packet } from '../support/ami-simulator/wire.ts';
import { AmiClient } from '../../agent/ami/client.ts';
import type { AmiEvent } from '../../agent/ami/client.ts';

// The recordings are vendored in test/fixtures/asterisk-ami (a copy of shared/reference/ami).
const REF = `${AMI_RECORDINGS}/`;
let sim: AmiSimulator;
let spool: string;

beforeEach(async () => {
  spool = await mkdtemp(path.join(os.tmpdir(), 'ami-sim-'));
  sim = await startAmiSimulator({ timeScale: 0.001, authFailDelayMs: 30, spoolDir: spool });
});
afterEach(async () => {
  await sim.close();
  await rm(spool, { recursive: true, force: true });
});

/** A bare TCP AMI client that records every byte. */
async function raw() {
  const socket = net.createConnection({ port: sim.port, host: '127.0.0.1' });
  socket.setEncoding('utf8');
  const state = { text: '', ended: false };
  socket.on('data', (d: string) => (state.text += d));
  socket.on('end', () => (state.ended = true));
  await new Promise((resolve) => socket.once('connect', resolve));
  const until = async (cond: () => boolean, ms = 3000): Promise<void> => {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`timed out; received:\n${state.text}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  };
  const packets = (): Packet[] =>
    state.text.replace(/^Asterisk Call Manager\/[^\r\n]*\r\n/, '').split('\r\n\r\n').map(parseLines).filter((p) => p.length > 0);
  return { socket, state, until, packets, write: (s: string) => socket.write(s) };
}

const normalize = (s: string): string =>
  s.replace(/^(Uptime|LastReload|Timestamp|Challenge): .*$/gm, '$1: *');

/** Plays the SEND blocks of a transcript and expects the simulator's bytes to equal its RECV blocks. */
async function converse(name: string, secret = 'faxbotsecret'): Promise<void> {
  const blocks = readTranscript(path.join(REF, `${name}.txt`));
  const c = await raw();
  let expected = '';
  const check = async (): Promise<void> => {
    const want = normalize(expected);
    await c.until(() => normalize(c.state.text).length >= want.length);
    expect(normalize(c.state.text)).toBe(want);
  };
  for (const b of blocks) {
    if (b.direction === 'RECV') expected += b.data;
    if (b.direction === 'RECV-EOF' && !name.startsWith('ping_before')) {
      await check();
      await c.until(() => c.state.ended);
    }
    if (b.direction !== 'SEND') continue;
    await check();
    let data = b.data;
    const challenge = /Challenge: (\d+)/.exec(c.state.text)?.[1];
    if (challenge) data = data.replace(/Key: \w+/, `Key: ${createHash('md5').update(challenge + secret).digest('hex')}`);
    c.write(data);
  }
  await check();
  c.socket.destroy();
}

it('has the recordings (never skipped: missing recordings fail)', () => {
  expect(existsSync(path.join(REF, 'fax_ok.txt'))).toBe(true);
});

describe('login and errors, byte for byte', () => {
  it.each(['login_plain', 'login_md5', 'ping_before_login'])('%s', (name) => converse(name));
  it.each(['login_bad', 'login_bad_md5'])('%s: Authentication failed after the delay, then EOF', (name) =>
    converse(name, 'wrong-secret'),
  );

  it('misc_errors: no such channel, channel not specified, permission denied for Command', async () => {
    const sends = transcriptPackets(readTranscript(path.join(REF, 'misc_errors.txt')), 'SEND');
    const recvs = transcriptPackets(readTranscript(path.join(REF, 'misc_errors.txt')), 'RECV').filter((p) => !header(p, 'Event'));
    const c = await raw();
    for (const id of ['login-1', 'hup-none', 'orig-nochan', 'cmd-1']) {
      c.write(formatPacket(sends.find((p) => header(p, 'ActionID') === id)!));
      await c.until(() => c.packets().some((p) => header(p, 'ActionID') === id));
      const got = c.packets().find((p) => header(p, 'ActionID') === id)!;
      expect(got).toEqual(recvs.find((p) => header(p, 'ActionID') === id));
    }
    c.socket.destroy();
  });

  it('accepts the lowercased, sorted headers of the asterisk-manager package', async () => {
    const createManager = createRequire(import.meta.url)('asterisk-manager') as (...a: unknown[]) => {
      action(a: object, cb: (err: unknown, res: Record<string, string>) => void): void;
      disconnect(): void;
    };
    const m = createManager(sim.port, '127.0.0.1', 'faxbot', 'faxbotsecret', true);
    const res = await new Promise<Record<string, string>>((resolve, reject) =>
      m.action({ action: 'ping' }, (err, r) => (err ? reject(new Error(JSON.stringify(err))) : resolve(r))),
    );
    expect(res).toMatchObject({ response: 'Success', ping: 'Pong' });
    m.disconnect();
  });
});

/** Event names (UserEvent suffixed with its name) of one leg, and their key lists. */
function legView(packets: readonly Packet[], uniqueid: string) {
  const evs = packets.filter((p) => header(p, 'Event') && header(p, 'Uniqueid') === uniqueid);
  const name = (p: Packet): string => `${header(p, 'Event')}${header(p, 'UserEvent') ? `(${header(p, 'UserEvent')})` : ''}`;
  return { names: evs.map(name), keys: evs.map((p) => `${name(p)}: ${p.map(([k]) => k).join(',')}`) };
}

async function replayCall(name: string) {
  const blocks = readTranscript(path.join(REF, `${name}.txt`));
  const sends = transcriptPackets(blocks, 'SEND');
  const ref = transcriptPackets(blocks, 'RECV');
  const originate = sends.find((p) => header(p, 'Action') === 'Originate')!;
  const hangup = sends.find((p) => header(p, 'Action') === 'Hangup');
  // The transcript hangs up 5 s into a 42 s transfer: make sure ours is still transferring then.
  if (hangup) sim.setScenario({ kind: 'success', pages: 2, msPerPage: 1e9 });
  const c = await raw();
  c.write(formatPacket(sends[0]!)); // Login
  await c.until(() => c.state.text.includes('Authentication accepted'));
  c.write(formatPacket(originate));
  if (hangup) {
    await c.until(() => c.packets().some((p) => header(p, 'Event') === 'OriginateResponse'));
    c.write(formatPacket(hangup));
  }
  const hangups = ref.filter((p) => header(p, 'Event') === 'Hangup').length;
  await c.until(() => c.packets().filter((p) => header(p, 'Event') === 'Hangup').length >= hangups);
  await new Promise((r) => setTimeout(r, 20));
  c.socket.destroy();
  return { ref, got: c.packets(), tx: header(originate, 'ChannelId')!, rx: header(originate, 'OtherChannelId')! };
}

describe('outbound calls replayed against the real transcripts', () => {
  it.each([
    'fax_ok', 'fax_ok_rxhold', 'fax_ok_status', 'fax_hangup_tx', 'far_busy', 'far_congestion', 'far_noanswer_ringing',
    'far_nosuchcontext',
  ])('%s: the sending leg sees the same events, in order, with the same fields', async (name) => {
    const { ref, got, tx } = await replayCall(name);
    const want = legView(ref, tx);
    const have = legView(got, tx);
    expect(have.names).toEqual(want.names);
    expect(have.keys).toEqual(want.keys);
    const outcome = (ps: Packet[]) => ps.find((p) => header(p, 'Event') === 'OriginateResponse')!;
    for (const k of ['ActionID', 'Response', 'Reason', 'Uniqueid', 'Context', 'Exten']) {
      expect(header(outcome(got), k)).toBe(header(outcome(ref), k));
    }
    const fields = (ps: Packet[], ev: string) => ps.find((p) => header(p, 'UserEvent') === ev);
    for (const ev of ['FaxResult', 'FaxTxHangup']) {
      const w = fields(ref, ev);
      if (w) expect(fields(got, ev)?.filter(([k]) => /^(Status|Error|Pages|Bitrate|JobID)$/.test(k))).toEqual(w.filter(([k]) => /^(Status|Error|Pages|Bitrate|JobID)$/.test(k)));
    }
  });

  it('fax_ok: the complete event sequence of both legs matches', async () => {
    const { ref, got } = await replayCall('fax_ok');
    const names = (ps: Packet[]) => ps.filter((p) => header(p, 'Event') && header(p, 'Event') !== 'FullyBooted').map((p) => `${header(p, 'Event')}/${header(p, 'Uniqueid') ?? header(p, 'DestUniqueid') ?? header(p, 'LocalOneUniqueid')}`);
    expect(names(got)).toEqual(names(ref));
  });

  it('far_voice: a silent far end keeps the call up until Action: Hangup on the ChannelId', async () => {
    const c = await raw();
    c.write('Action: Login\r\nUsername: faxbot\r\nSecret: faxbotsecret\r\n\r\n');
    c.write('Action: Originate\r\nChannel: Local/s@farvoice/n\r\nContext: faxtx\r\nExten: s\r\nPriority: 1\r\nChannelId: v-tx\r\nOtherChannelId: v-rx\r\nAsync: true\r\n\r\n');
    await c.until(() => c.packets().some((p) => header(p, 'Event') === 'OriginateResponse'));
    await new Promise((r) => setTimeout(r, 100)); // 100 s of simulated silence
    expect(c.packets().some((p) => header(p, 'Event') === 'Hangup')).toBe(false);
    c.write('Action: Hangup\r\nActionID: h1\r\nChannel: v-tx\r\nCause: 16\r\n\r\n');
    await c.until(() => c.packets().filter((p) => header(p, 'Event') === 'Hangup').length === 2);
    const names = legView(c.packets(), 'v-tx').names;
    expect(names.slice(-4)).toEqual(['SendFAX', 'SoftHangupRequest', 'UserEvent(FaxTxHangup)', 'Hangup']);
    expect(c.packets().find((p) => header(p, 'ActionID') === 'h1')).toEqual([['Response', 'Success'], ['ActionID', 'h1'], ['Message', 'Channel Hungup']]);
    c.socket.destroy();
  });
});

describe('permissions', () => {
  it('sends events only to logged-in sessions whose read perms cover the class', async () => {
    const anon = await raw();
    const limited = { username: 'calls', secret: 's', read: ['call'], write: ['originate'] };
    await sim.close();
    sim = await startAmiSimulator({ timeScale: 0.001, users: [limited], scenario: { kind: 'success' } });
    const a = await raw();
    const b = await raw();
    a.write('Action: Login\r\nUsername: calls\r\nSecret: s\r\n\r\n');
    await a.until(() => a.state.text.includes('accepted'));
    a.write('Action: Originate\r\nChannel: PJSIP/1@trunk\r\nContext: faxtx\r\nExten: s\r\nPriority: 1\r\nAsync: true\r\n\r\n');
    await a.until(() => a.packets().filter((p) => header(p, 'Event') === 'Hangup').length === 1);
    expect(a.packets().some((p) => header(p, 'Event') === 'FullyBooted')).toBe(false); // system class
    expect(a.packets().some((p) => header(p, 'Event') === 'UserEvent')).toBe(false); // user class
    expect(b.packets().some((p) => header(p, 'Event'))).toBe(false); // never logged in
    for (const c of [anon, a, b]) c.socket.destroy();
  });
});

describe('inbound fax', () => {
  it('writes a valid 1728 px TIFF into the spool and raises UserEvent(FaxReceived)', async () => {
    const client = new AmiClient({ port: sim.port, username: 'faxbot', secret: 'faxbotsecret' });
    await client.connect();
    const events: AmiEvent[] = [];
    client.on('event', (e) => events.push(e));
    const res = await sim.simulateInboundFax({ from: '+15551230001', to: '+15559870002', remoteStationId: 'SENDER' });
    await expect.poll(() => events.some((e) => e.userevent === 'FaxRxHangup')).toBe(true);
    await client.close();

    const rx = events.find((e) => e.userevent === 'FaxReceived')!;
    expect(rx).toMatchObject({ uniqueid: res.uniqueid, rxuniqueid: res.uniqueid, status: 'SUCCESS', error: '', pages: '1', file: res.file });
    expect(rx).toMatchObject({ calleridnum: '+15551230001', exten: '+15559870002', remotestationid: 'SENDER' });
    expect(path.dirname(res.file)).toBe(path.resolve(spool));

    const tif = await readFile(res.file);
    expect([...tif.subarray(0, 4)]).toEqual([0x49, 0x49, 0x2a, 0x00]); // "II*\0"
    const ifd = tif.readUInt32LE(4);
    const tags = new Map<number, number>();
    for (let i = 0; i < tif.readUInt16LE(ifd); i++) {
      const at = ifd + 2 + i * 12;
      const type = tif.readUInt16LE(at + 2);
      tags.set(tif.readUInt16LE(at), type === 3 ? tif.readUInt16LE(at + 8) : tif.readUInt32LE(at + 8));
    }
    expect(tags.get(256)).toBe(1728); // ImageWidth
    expect(tags.get(259)).toBe(3); // CCITT Group 3
    const xres = tags.get(282)!;
    expect([tif.readUInt32LE(xres), tif.readUInt32LE(xres + 4)]).toEqual([204, 1]);
    const yres = tags.get(283)!;
    expect([tif.readUInt32LE(yres), tif.readUInt32LE(yres + 4)]).toEqual([196, 1]);
    expect(tags.get(273)! + tags.get(279)!).toBe(tif.length); // the strip ends the file
  });

  it('copies a given TIFF instead of generating one', async () => {
    const first = await sim.simulateInboundFax({ from: '1', to: '2' });
    const second = await sim.simulateInboundFax({ from: '1', to: '2', tiffPath: first.file });
    expect(second.file).not.toBe(first.file);
    expect(await readFile(second.file)).toEqual(await readFile(first.file));
  });
});

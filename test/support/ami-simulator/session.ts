// One AMI client connection to the simulator: banner, plain/MD5 login with Asterisk's delayed failure and
// close, "Permission denied" before login or without write perms, and the actions the agent uses.
import type { Socket } from 'node:net';
import { createHash, randomInt } from 'node:crypto';
import { formatPacket, header, headers, PacketReader } from './wire.ts';
import type { Packet, Pair } from './wire.ts';
import { event, fullyBooted } from './events.ts';
import type { SimEvent } from './events.ts';
import { parseVariables } from './scenarios.ts';
import type { OriginateRequest } from './scenarios.ts';

export interface SimUser {
  username: string;
  secret: string;
  /** Event classes this user may read (`call`, `user`, `system`, or `all`). */
  read: string[];
  /** Action classes this user may use (`originate`, `call`, `system`, `command`, or `all`). */
  write: string[];
}

/** What a session needs from the simulator core. */
export interface SessionHost {
  users: readonly SimUser[];
  authFailDelayMs: number;
  isIgnored(action: string): boolean;
  originate(req: OriginateRequest, onSyncResult: (ok: boolean) => void): void;
  /** Hangs up a live leg by channel name or Uniqueid: calls `accepted` first, then emits the hangup's events.
   * False when there is no such channel. */
  hangup(channel: string, cause: number, accepted: () => void): boolean;
  /** One `Status` event per live channel. */
  liveLegs(): SimEvent[];
}

export const BANNER = 'Asterisk Call Manager/11.0.0\r\n';

export class SimSession {
  readonly #socket: Socket;
  readonly #host: SessionHost;
  readonly #reader = new PacketReader();
  #user: SimUser | undefined;
  #challenge: string | undefined;
  #events = true;
  #authPending = false;

  constructor(socket: Socket, host: SessionHost) {
    this.#socket = socket;
    this.#host = host;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      for (const packet of this.#reader.push(chunk)) this.#handle(packet);
    });
    socket.on('error', () => undefined);
    socket.write(BANNER);
  }

  get loggedIn(): boolean {
    return this.#user !== undefined;
  }

  /** Writes the events this session may see, as one socket write (like one Asterisk flush). */
  deliver(events: readonly SimEvent[]): void {
    const user = this.#user;
    if (!user || !this.#events || this.#socket.destroyed) return;
    const mayRead = (cls: string): boolean => user.read.includes('all') || user.read.includes(cls);
    const text = events.filter((e) => mayRead(e.cls)).map((e) => formatPacket(e.pairs)).join('');
    if (text) this.#socket.write(text);
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #respond(packet: Packet, response: string, fields: Pair[], extra = ''): void {
    const id = header(packet, 'ActionID');
    const pairs: Pair[] = [['Response', response], ...(id === undefined ? [] : [['ActionID', id] as const]), ...fields];
    if (!this.#socket.destroyed) this.#socket.write(formatPacket(pairs) + extra);
  }

  #error(packet: Packet, message: string): void {
    this.#respond(packet, 'Error', [['Message', message]]);
  }

  #mayWrite(...classes: string[]): boolean {
    const w = this.#user?.write ?? [];
    return w.includes('all') || classes.some((c) => w.includes(c));
  }

  #handle(packet: Packet): void {
    const action = (header(packet, 'Action') ?? '').trim();
    const name = action.toLowerCase();
    if (this.#host.isIgnored(name) || this.#authPending) return;
    if (!action) return this.#error(packet, 'Missing action in request');
    if (!this.#user && !['login', 'challenge', 'logoff'].includes(name)) return this.#error(packet, 'Permission denied');
    switch (name) {
      case 'login':
        return this.#login(packet);
      case 'challenge': {
        if ((header(packet, 'AuthType') ?? '').toLowerCase() !== 'md5') return this.#error(packet, 'Must specify AuthType');
        this.#challenge ??= String(randomInt(10_000_000, 999_999_999));
        return this.#respond(packet, 'Success', [['Challenge', this.#challenge]]);
      }
      case 'logoff':
        this.#respond(packet, 'Goodbye', [['Message', 'Thanks for all the fish.']]);
        this.#socket.end();
        return;
      case 'ping':
        return this.#respond(packet, 'Success', [['Ping', 'Pong'], ['Timestamp', (Date.now() / 1000).toFixed(6)]]);
      case 'originate':
        return this.#originate(packet);
      case 'hangup': {
        if (!this.#mayWrite('system', 'call')) return this.#error(packet, 'Permission denied');
        const channel = header(packet, 'Channel');
        if (!channel) return this.#error(packet, 'No channel specified');
        const cause = Number.parseInt(header(packet, 'Cause') ?? '16', 10);
        // Respond first: Asterisk answers "Channel Hungup" before the hangup's events go out.
        const accepted = (): void => this.#respond(packet, 'Success', [['Message', 'Channel Hungup']]);
        if (!this.#host.hangup(channel, Number.isNaN(cause) ? 16 : cause, accepted)) this.#error(packet, 'No such channel');
        return;
      }
      case 'status':
        return this.#status(packet);
      case 'coreshowchannels':
        return this.#coreShowChannels(packet);
      case 'command':
        if (!this.#mayWrite('command')) return this.#error(packet, 'Permission denied');
        return this.#error(packet, 'Command not supported by the AMI simulator');
      default:
        return this.#error(packet, `Invalid/unknown command: ${action}. Use Action: ListCommands to show available commands.`);
    }
  }

  #login(packet: Packet): void {
    const username = header(packet, 'Username') ?? '';
    const user = this.#host.users.find((u) => u.username === username);
    const md5 = (header(packet, 'AuthType') ?? '').toLowerCase() === 'md5';
    let ok = false;
    if (user && md5 && this.#challenge !== undefined) {
      const expected = createHash('md5').update(this.#challenge + user.secret).digest('hex');
      ok = (header(packet, 'Key') ?? '').toLowerCase() === expected;
    } else if (user && !md5) {
      ok = header(packet, 'Secret') === user.secret;
    }
    if (!ok || !user) {
      // login_bad.txt: "Authentication failed" about 1 s later, then Asterisk closes the socket.
      this.#authPending = true;
      setTimeout(() => {
        this.#respond(packet, 'Error', [['Message', 'Authentication failed']]);
        this.#socket.end();
      }, this.#host.authFailDelayMs);
      return;
    }
    this.#user = user;
    this.#events = (header(packet, 'Events') ?? 'on').toLowerCase() !== 'off';
    const booted = user.read.includes('all') || user.read.includes('system') ? formatPacket(fullyBooted().pairs) : '';
    this.#respond(packet, 'Success', [['Message', 'Authentication accepted']], this.#events ? booted : '');
  }

  #originate(packet: Packet): void {
    if (!this.#mayWrite('originate')) return this.#error(packet, 'Permission denied');
    const channel = header(packet, 'Channel');
    if (!channel) return this.#error(packet, 'Channel not specified');
    const timeout = Number.parseInt(header(packet, 'Timeout') ?? '', 10);
    const req: OriginateRequest = {
      actionId: header(packet, 'ActionID'),
      channel,
      context: header(packet, 'Context') ?? 'default',
      exten: header(packet, 'Exten') ?? 's',
      priority: Number.parseInt(header(packet, 'Priority') ?? '1', 10) || 1,
      timeoutMs: Number.isNaN(timeout) || timeout <= 0 ? 30_000 : timeout,
      callerId: header(packet, 'CallerID'),
      variables: parseVariables(headers(packet, 'Variable')),
      channelId: header(packet, 'ChannelId'),
      otherChannelId: header(packet, 'OtherChannelId'),
      async: ['true', 'yes', '1', 'on'].includes((header(packet, 'Async') ?? '').toLowerCase()),
    };
    if (req.async) this.#respond(packet, 'Success', [['Message', 'Originate successfully queued']]);
    this.#host.originate(req, (ok) => {
      if (ok) this.#respond(packet, 'Success', [['Message', 'Originate successfully queued']]);
      else this.#error(packet, 'Originate failed');
    });
  }

  #status(packet: Packet): void {
    if (!this.#mayWrite('system', 'call', 'reporting')) return this.#error(packet, 'Permission denied');
    const id = header(packet, 'ActionID');
    const idPair: Pair[] = id === undefined ? [] : [['ActionID', id]];
    const legs = this.#host.liveLegs();
    this.#respond(packet, 'Success', [['EventList', 'start'], ['Message', 'Channel status will follow']]);
    const items = legs.map((e) => formatPacket([...e.pairs, ...idPair])).join('');
    const done = event('StatusComplete', 'call', [...idPair, ['EventList', 'Complete'], ['ListItems', String(legs.length)], ['Items', String(legs.length)]]);
    this.#socket.write(items + formatPacket(done.pairs.filter(([k]) => k !== 'Privilege')));
  }

  /** Scripted (no recording has it): the live legs as CoreShowChannel events (Uniqueid, Linkedid, Channel). */
  #coreShowChannels(packet: Packet): void {
    if (!this.#mayWrite('system', 'reporting')) return this.#error(packet, 'Permission denied');
    const id = header(packet, 'ActionID');
    const idPair: Pair[] = id === undefined ? [] : [['ActionID', id]];
    const legs = this.#host.liveLegs();
    this.#respond(packet, 'Success', [['EventList', 'start'], ['Message', 'Channels will follow']]);
    const items = legs.map((e) => formatPacket([['Event', 'CoreShowChannel'], ...idPair, ...e.pairs.filter(([k]) => k !== 'Event' && k !== 'Privilege')])).join('');
    const done = formatPacket([['Event', 'CoreShowChannelsComplete'], ...idPair, ['EventList', 'Complete'], ['ListItems', String(legs.length)]]);
    this.#socket.write(items + done);
  }
}

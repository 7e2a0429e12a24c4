// AMI client for the on-prem agent: logs in (MD5 challenge by default), keeps the session alive with
// exponential-backoff-with-full-jitter reconnects, and offers typed originate/hangup/ping on top of raw actions.
// Own framing on node:net, not the asterisk-manager package: see agent/ami/README.md for why.
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { AmiSession, realTimers } from './session.ts';
import type { Timers } from './session.ts';
import type { AmiFields, AmiMessage } from './frame.ts';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff.ts';
import type { BackoffOptions } from './backoff.ts';
import { AmiConnectionError } from './errors.ts';
import { originateFields } from './originate.ts';
import type { OriginateParams } from './originate.ts';

export type { AmiMessage } from './frame.ts';
export type { OriginateParams } from './originate.ts';
export type { Timers } from './session.ts';

/** An AMI event: lowercased keys, `event` always present (e.g. 'Hangup', 'UserEvent'). */
export type AmiEvent = AmiMessage & { event: string };

export interface AmiLogger {
  info(msg: string): void;
  warn(msg: string): void;
}

export interface AmiClientOptions {
  host?: string;
  port?: number;
  username: string;
  secret: string;
  /** 'md5' (default) uses the Challenge action so the secret never crosses the wire. */
  authType?: 'plain' | 'md5';
  connectTimeoutMs?: number;
  actionTimeoutMs?: number;
  /** Reconnect after the session drops (default true). The first connect() never retries by itself. */
  reconnect?: boolean;
  backoff?: BackoffOptions;
  /** Injectable for tests: jitter source in [0, 1) and timers. */
  random?: () => number;
  timers?: Timers;
  logger?: AmiLogger;
}

export type AmiClientEvents = {
  event: [AmiEvent];
  connected: [];
  disconnected: [{ reason: string }];
  reconnecting: [{ attempt: number; delayMs: number }];
};

const silentLogger: AmiLogger = { info: () => undefined, warn: () => undefined };

export class AmiClient extends EventEmitter<AmiClientEvents> {
  readonly #opts: Required<Omit<AmiClientOptions, 'backoff'>> & { backoff: BackoffOptions };
  readonly #idPrefix = `fb-${randomBytes(4).toString('hex')}-`;
  #idCounter = 0;
  #session: AmiSession | undefined;
  #closing = false;
  #everConnected = false;
  #failures = 0;
  #retryTimer: unknown;
  #opening: Promise<void> | undefined;

  constructor(options: AmiClientOptions) {
    super();
    this.#opts = {
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 5038,
      username: options.username,
      secret: options.secret,
      authType: options.authType ?? 'md5',
      connectTimeoutMs: options.connectTimeoutMs ?? 5000,
      actionTimeoutMs: options.actionTimeoutMs ?? 10_000,
      reconnect: options.reconnect ?? true,
      backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
      random: options.random ?? Math.random,
      timers: options.timers ?? realTimers,
      logger: options.logger ?? silentLogger,
    };
  }

  get connected(): boolean {
    return this.#session !== undefined && !this.#session.closed;
  }

  /** Unique per client instance and process (random prefix + counter), never time based. */
  nextActionId(): string {
    this.#idCounter += 1;
    return `${this.#idPrefix}${this.#idCounter}`;
  }

  /** Connects and logs in once; rejects (AmiAuthError, AmiConnectionError, AmiTimeoutError) without retrying. */
  async connect(): Promise<void> {
    this.#closing = false;
    if (this.connected) return;
    if (this.#retryTimer !== undefined) {
      this.#opts.timers.clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
    }
    return this.#attempt();
  }

  /** Any action; resolves with the response packet, rejects on Error response, timeout or lost connection. */
  action(action: string, fields: AmiFields = {}, options: { timeoutMs?: number; actionId?: string } = {}): Promise<AmiMessage> {
    const session = this.#session;
    if (!session || session.closed) return Promise.reject(new AmiConnectionError('AMI not connected'));
    return session.send(action, fields, options);
  }

  async ping(timeoutMs?: number): Promise<void> {
    await this.action('Ping', {}, { timeoutMs });
  }

  /** Async Originate; resolves once Asterisk says "queued". The call's outcome arrives as events. */
  async originate(params: OriginateParams): Promise<{ actionId: string }> {
    const actionId = params.actionId ?? this.nextActionId();
    await this.action('Originate', originateFields(params), { actionId });
    return { actionId };
  }

  /** Hangs up a channel by name or Uniqueid (a preset ChannelId works). Rejects with "No such channel" if gone. */
  async hangup(channel: string, cause = 16): Promise<void> {
    await this.action('Hangup', { Channel: channel, Cause: cause });
  }

  /**
   * Whether a channel with this Uniqueid is up, from `CoreShowChannels` (the AMI user needs write
   * class `system` or `reporting`). undefined when Asterisk cannot be asked (not connected, not
   * permitted, no answer within `timeoutMs`): the caller must not conclude anything then.
   */
  channelExists(uniqueid: string, timeoutMs = 5000): Promise<boolean | undefined> {
    const actionId = this.nextActionId();
    return new Promise((resolve) => {
      let found = false;
      let settled = false;
      const end = (value: boolean | undefined): void => {
        if (settled) return;
        settled = true;
        this.off('event', onEvent);
        this.#opts.timers.clearTimeout(timer);
        resolve(value);
      };
      const onEvent = (e: AmiEvent): void => {
        if (e.actionid !== actionId) return;
        const name = e.event.toLowerCase();
        if (name === 'coreshowchannel' && e.uniqueid === uniqueid) found = true;
        if (name === 'coreshowchannelscomplete') end(found);
      };
      const timer = this.#opts.timers.setTimeout(() => end(undefined), timeoutMs);
      this.on('event', onEvent);
      this.action('CoreShowChannels', {}, { actionId, timeoutMs }).then(
        (r) => {
          if ((r.response ?? '').toLowerCase() !== 'success') end(undefined);
        },
        () => end(undefined),
      );
    });
  }

  /** Stops reconnecting, logs off and closes; pending actions are rejected. */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.#retryTimer !== undefined) {
      this.#opts.timers.clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
    }
    const session = this.#session;
    this.#session = undefined;
    if (session) await session.logoff();
  }

  /** One connect + login; concurrent callers share the attempt in flight. */
  #attempt(): Promise<void> {
    this.#opening ??= this.#openSession().finally(() => {
      this.#opening = undefined;
    });
    return this.#opening;
  }

  async #openSession(): Promise<void> {
    const { host, port, username, secret, authType, connectTimeoutMs, actionTimeoutMs, timers } = this.#opts;
    let session: AmiSession | undefined;
    session = await AmiSession.open({
      host,
      port,
      username,
      secret,
      authType,
      connectTimeoutMs,
      actionTimeoutMs,
      timers,
      nextActionId: () => this.nextActionId(),
      onEvent: (event) => this.emit('event', event as AmiEvent),
      onClose: (reason) => this.#onSessionClose(session, reason),
    });
    if (this.#closing) {
      session.destroy();
      throw new AmiConnectionError('AMI client closed');
    }
    this.#session = session;
    this.#everConnected = true;
    this.#failures = 0;
    this.#opts.logger.info(`AMI connected to ${host}:${port} as ${username}`);
    this.emit('connected');
  }

  #onSessionClose(session: AmiSession | undefined, reason: Error): void {
    if (session === undefined || this.#session !== session) return; // a failed attempt, not a live session
    this.#session = undefined;
    this.#opts.logger.warn(`AMI disconnected: ${reason.message}`);
    this.emit('disconnected', { reason: reason.message });
    if (!this.#closing && this.#opts.reconnect && this.#everConnected) this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    const attempt = this.#failures;
    this.#failures += 1;
    const delayMs = backoffDelay(attempt, this.#opts.backoff, this.#opts.random);
    this.emit('reconnecting', { attempt, delayMs });
    this.#retryTimer = this.#opts.timers.setTimeout(() => {
      this.#retryTimer = undefined;
      if (this.#closing) return;
      this.#attempt().catch((err: unknown) => {
        if (this.#closing) return;
        this.#opts.logger.warn(`AMI reconnect attempt ${attempt + 1} failed: ${(err as Error).message}`);
        this.#scheduleReconnect();
      });
    }, delayMs);
  }
}

export function createAmiClient(options: AmiClientOptions): AmiClient {
  return new AmiClient(options);
}

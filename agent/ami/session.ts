// One AMI TCP session: connect, wait for the banner, log in (plain or MD5 challenge), send actions matched to
// their responses by ActionID with a per-action timeout, and reject every pending action when the socket closes.
import net from 'node:net';
import { createHash } from 'node:crypto';
import { AmiFrameParser, formatAction } from './frame.ts';
import type { AmiFields, AmiMessage } from './frame.ts';
import { AmiActionError, AmiAuthError, AmiConnectionError, AmiTimeoutError } from './errors.ts';

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface AmiSessionOptions {
  host: string;
  port: number;
  username: string;
  secret: string;
  authType: 'plain' | 'md5';
  /** Bound on TCP connect + banner. */
  connectTimeoutMs: number;
  /** Default bound on each action's response (login included). */
  actionTimeoutMs: number;
  nextActionId: () => string;
  timers: Timers;
  /** Every `Event:` packet, from the first byte on (so FullyBooted right after login is not lost). */
  onEvent: (event: AmiMessage) => void;
  /** Called once when the socket is gone, whatever the reason. */
  onClose: (reason: Error) => void;
}

interface Pending {
  action: string;
  resolve: (msg: AmiMessage) => void;
  reject: (err: Error) => void;
  timer: unknown;
}

export class AmiSession {
  readonly #opts: AmiSessionOptions;
  readonly #socket: net.Socket;
  readonly #pending = new Map<string, Pending>();
  #closed = false;
  #lastError: Error | undefined;
  #banner: ((line: string) => void) | undefined;

  private constructor(opts: AmiSessionOptions) {
    this.#opts = opts;
    const parser = new AmiFrameParser({
      banner: (line) => this.#banner?.(line),
      message: (msg) => this.#dispatch(msg),
      protocolError: (err) => this.destroy(err),
    });
    this.#socket = net.createConnection({ host: opts.host, port: opts.port });
    this.#socket.setNoDelay(true);
    this.#socket.setKeepAlive(true, 30_000);
    this.#socket.setEncoding('utf8');
    this.#socket.on('data', (chunk: string) => parser.push(chunk));
    this.#socket.on('error', (err) => {
      this.#lastError = err;
    });
    this.#socket.on('close', () => this.#onSocketClose());
  }

  /** Connects and logs in; rejects with AmiAuthError on a refused login (the socket is then closed). */
  static async open(opts: AmiSessionOptions): Promise<AmiSession> {
    const session = new AmiSession(opts);
    try {
      await session.#waitForBanner();
      await session.#login();
      return session;
    } catch (err) {
      session.destroy(err instanceof Error ? err : new Error(String(err)));
      throw err;
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends an action; resolves with its response, rejects on `Response: Error`, timeout or socket loss. */
  send(action: string, fields: AmiFields = {}, options: { timeoutMs?: number; actionId?: string } = {}): Promise<AmiMessage> {
    if (this.#closed) return Promise.reject(new AmiConnectionError('AMI not connected'));
    const actionId = options.actionId ?? this.#opts.nextActionId();
    if (this.#pending.has(actionId)) return Promise.reject(new Error(`duplicate ActionID ${actionId}`));
    let packet: string;
    try {
      packet = formatAction(action, actionId, fields);
    } catch (err) {
      return Promise.reject(err);
    }
    const timeoutMs = options.timeoutMs ?? this.#opts.actionTimeoutMs;
    return new Promise<AmiMessage>((resolve, reject) => {
      const timer = this.#opts.timers.setTimeout(() => {
        this.#pending.delete(actionId);
        reject(new AmiTimeoutError(`AMI ${action} got no response within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(actionId, { action, resolve, reject, timer });
      this.#socket.write(packet);
    });
  }

  /** Polite close: Logoff (bounded wait), then end the socket. */
  async logoff(timeoutMs = 1000): Promise<void> {
    if (this.#closed) return;
    await this.send('Logoff', {}, { timeoutMs }).catch(() => undefined);
    this.destroy(new AmiConnectionError('AMI connection closed by client'));
  }

  destroy(reason?: Error): void {
    if (reason && !this.#lastError) this.#lastError = reason;
    this.#socket.destroy();
  }

  #waitForBanner(): Promise<void> {
    const { host, port, connectTimeoutMs, timers } = this.#opts;
    return new Promise<void>((resolve, reject) => {
      const timer = timers.setTimeout(() => {
        reject(new AmiTimeoutError(`AMI ${host}:${port} sent no banner within ${connectTimeoutMs} ms`));
      }, connectTimeoutMs);
      const onClose = (): void => {
        timers.clearTimeout(timer);
        const why = this.#lastError ? `: ${this.#lastError.message}` : '';
        reject(new AmiConnectionError(`AMI connection to ${host}:${port} failed${why}`));
      };
      this.#socket.once('close', onClose);
      this.#banner = () => {
        this.#banner = undefined;
        timers.clearTimeout(timer);
        this.#socket.off('close', onClose);
        resolve();
      };
    });
  }

  async #login(): Promise<void> {
    const { username, secret, authType } = this.#opts;
    try {
      if (authType === 'md5') {
        const challenge = await this.send('Challenge', { AuthType: 'md5' });
        if (!challenge.challenge) throw new AmiAuthError('AMI Challenge response carried no challenge');
        const key = createHash('md5').update(challenge.challenge + secret).digest('hex');
        await this.send('Login', { AuthType: 'md5', Username: username, Key: key });
      } else {
        await this.send('Login', { Username: username, Secret: secret });
      }
    } catch (err) {
      if (err instanceof AmiActionError) {
        throw new AmiAuthError(`AMI login refused for user ${username}: ${err.response.message ?? 'no message'}`);
      }
      throw err;
    }
  }

  #dispatch(msg: AmiMessage): void {
    if (msg.event !== undefined) {
      this.#opts.onEvent(msg);
      return;
    }
    if (msg.response === undefined || msg.actionid === undefined) return;
    const pending = this.#pending.get(msg.actionid);
    if (!pending) return;
    this.#pending.delete(msg.actionid);
    this.#opts.timers.clearTimeout(pending.timer);
    if (msg.response.toLowerCase() === 'error') pending.reject(new AmiActionError(pending.action, msg));
    else pending.resolve(msg);
  }

  #onSocketClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    const reason = new AmiConnectionError(
      `AMI connection closed${this.#lastError ? ` (${this.#lastError.message})` : ''}`,
    );
    for (const [id, p] of this.#pending) {
      this.#opts.timers.clearTimeout(p.timer);
      this.#pending.delete(id);
      p.reject(new AmiConnectionError(`AMI ${p.action} aborted: connection closed`));
    }
    this.#opts.onClose(reason);
  }
}

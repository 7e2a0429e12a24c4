// The agent's outbound WebSocket to the edge: Bearer-token upgrade, reconnect with full-jitter backoff,
// heartbeat (HEARTBEAT_PING; silence for 2.5 heartbeats = half-open socket: terminate and reconnect),
// `ping` -> `pong`, and typed edge messages via the protocol parser (invalid ones are logged and dropped).
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { encodeMessage, HEARTBEAT_PING, parseEdgeMessage } from '../shared/agent-protocol.ts';
import type { AgentMessageBody, EdgeMessage } from '../shared/agent-protocol.ts';
import { backoffDelay } from './ami/backoff.ts';
import type { BackoffOptions } from './ami/backoff.ts';
import { errorMessage } from './logger.ts';
import type { Logger } from './logger.ts';

export type WelcomeMessage = Extract<EdgeMessage, { type: 'welcome' }>;
/** Edge messages the connection hands on (welcome, ping, pong and error are handled here). */
export type EdgeEvent = Exclude<EdgeMessage, { type: 'welcome' | 'ping' | 'pong' | 'error' }>;

export interface EdgeConnectionOptions {
  /** ws(s)://host/agent/connect */
  url: string;
  /** Read on every attempt, so a rotated token is used from the next connection on. */
  token: () => string;
  logger: Logger;
  userAgent: string;
  backoff?: BackoffOptions;
  random?: () => number;
  handshakeTimeoutMs?: number;
  /** Used until `welcome` says otherwise (default 15). */
  defaultHeartbeatSeconds?: number;
}

export type EdgeConnectionEvents = {
  /** The edge accepted us: send `hello` now. */
  welcome: [WelcomeMessage];
  message: [EdgeEvent];
  disconnected: [{ code: number; reason: string }];
};

/** A connection that lasted this long counts as healthy: the next drop reconnects quickly again. */
const STABLE_MS = 10_000;
const MAX_PAYLOAD = 1024 * 1024;

export class EdgeConnection extends EventEmitter<EdgeConnectionEvents> {
  readonly #opts: EdgeConnectionOptions;
  readonly #log: Logger;
  #ws: WebSocket | undefined;
  #welcomed = false;
  #stopped = true;
  #failures = 0;
  #connectedAt = 0;
  #heartbeatMs: number;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #watchdog: ReturnType<typeof setTimeout> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(opts: EdgeConnectionOptions) {
    super();
    this.#opts = opts;
    this.#log = opts.logger.child({ component: 'edge' });
    this.#heartbeatMs = (opts.defaultHeartbeatSeconds ?? 15) * 1000;
  }

  /** Open and welcomed. */
  get connected(): boolean {
    return this.#welcomed && this.#ws?.readyState === WebSocket.OPEN;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#open();
  }

  /** Sends when connected; false otherwise (callers keep what must survive in the journal). */
  send(msg: AgentMessageBody): boolean {
    const ws = this.#ws;
    if (!this.connected || !ws) return false;
    ws.send(encodeMessage(msg));
    return true;
  }

  /** Closes (1001 going away) and stops reconnecting. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    const ws = this.#ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => ws.terminate(), 2000);
      ws.once('close', () => {
        clearTimeout(force);
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1001, 'agent shutting down');
    });
  }

  /** Drops the current socket as if the network failed (reconnects as usual). */
  terminate(): void {
    this.#ws?.terminate();
  }

  #open(): void {
    const ws = new WebSocket(this.#opts.url, {
      headers: { Authorization: `Bearer ${this.#opts.token()}`, 'User-Agent': this.#opts.userAgent },
      handshakeTimeout: this.#opts.handshakeTimeoutMs ?? 10_000,
      maxPayload: MAX_PAYLOAD,
    });
    this.#ws = ws;
    this.#welcomed = false;
    ws.on('open', () => {
      this.#connectedAt = Date.now();
      this.#armWatchdog(); // the welcome must come within 2.5 default heartbeats too
    });
    ws.on('message', (data, isBinary) => {
      if (ws !== this.#ws) return;
      this.#armWatchdog();
      if (isBinary) return this.#log.warn('ignored a binary message from the edge');
      this.#onText(data.toString());
    });
    ws.on('error', (err) => {
      const m = /Unexpected server response: (\d+)/.exec(err.message);
      if (m?.[1] === '401' || m?.[1] === '403') {
        this.#log.error('the edge refused the agent token: check AGENT_TOKEN / AGENT_TOKEN_FILE', { status: Number(m[1]) });
      } else this.#log.warn('edge connection error', { error: errorMessage(err) });
    });
    ws.on('close', (code, reason) => this.#onClose(ws, code, reason.toString()));
  }

  #onText(text: string): void {
    const parsed = parseEdgeMessage(text);
    if (!parsed.ok) {
      this.#log.warn('ignored an invalid message from the edge', { error: parsed.error.slice(0, 300) });
      return;
    }
    const msg = parsed.message;
    if (msg.type === 'welcome') {
      this.#welcomed = true;
      this.#heartbeatMs = msg.heartbeatSeconds * 1000;
      this.#startHeartbeat();
      this.#log.info('connected to the edge', { agentId: msg.agentId, heartbeatSeconds: msg.heartbeatSeconds });
      this.emit('welcome', msg);
      return;
    }
    if (!this.#welcomed) {
      this.#log.warn('ignored an edge message before welcome', { type: msg.type });
      return;
    }
    if (msg.type === 'pong') return;
    if (msg.type === 'ping') {
      this.send({ type: 'pong', ...(msg.ts === undefined ? {} : { ts: msg.ts }) });
      return;
    }
    if (msg.type === 'error') {
      this.#log.warn('the edge reported an error', { code: msg.code, message: msg.message.slice(0, 300) });
      return;
    }
    this.emit('message', msg);
  }

  #startHeartbeat(): void {
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    this.#pingTimer = setInterval(() => {
      if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(HEARTBEAT_PING);
    }, this.#heartbeatMs);
    this.#armWatchdog();
  }

  /** Any message proves the socket alive; silence for 2.5 heartbeats means it is half-open. */
  #armWatchdog(): void {
    if (this.#watchdog) clearTimeout(this.#watchdog);
    const ws = this.#ws;
    this.#watchdog = setTimeout(() => {
      if (ws !== this.#ws || !ws) return;
      this.#log.warn('no message from the edge for 2.5 heartbeats: dropping the connection');
      ws.terminate();
    }, this.#heartbeatMs * 2.5);
  }

  #onClose(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.#ws) return;
    const wasWelcomed = this.#welcomed;
    this.#welcomed = false;
    this.#ws = undefined;
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    if (this.#watchdog) clearTimeout(this.#watchdog);
    this.#pingTimer = undefined;
    this.#watchdog = undefined;
    if (wasWelcomed) {
      const fields = { code, reason: reason.slice(0, 120) };
      if (this.#stopped) this.#log.info('disconnected from the edge', fields);
      else this.#log.warn('disconnected from the edge', fields);
      this.emit('disconnected', { code, reason });
    }
    if (this.#stopped) return;
    if (wasWelcomed && Date.now() - this.#connectedAt >= STABLE_MS) this.#failures = 0;
    const attempt = this.#failures;
    this.#failures += 1;
    const delayMs = backoffDelay(attempt, this.#opts.backoff, this.#opts.random);
    this.#log.debug('reconnecting to the edge', { attempt: attempt + 1, delayMs });
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (!this.#stopped) this.#open();
    }, delayMs);
  }
}

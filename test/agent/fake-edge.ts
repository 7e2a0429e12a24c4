// A fake edge for agent tests: the /agent/connect WebSocket (Bearer token check, welcome, auto heartbeat pong,
// auto dial_ok and result_ack), a document server for offers' documentUrl (real PDFs from pdf-lib) and
// POST /agent/inbound with scripted statuses. Every agent message is validated with the protocol parser.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { WebSocketServer } from 'ws';
import type WebSocket from 'ws';
import { encodeMessage, HEARTBEAT_PING, HEARTBEAT_PONG, parseAgentMessage } from '../../shared/agent-protocol.ts';
import type { AgentMessage, EdgeMessageBody } from '../../shared/agent-protocol.ts';

export interface EdgeConnectionRecord {
  token: string;
  ws: WebSocket;
  messages: AgentMessage[];
  pings: number;
  closed: boolean;
}

export interface InboundUploadRecord {
  fields: Record<string, string>;
  file: Uint8Array;
  status: number;
}

export async function makePdf(pages = 2, size: [number, number] = [612, 792]): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 1; i <= pages; i++) doc.addPage(size).drawText(`Faxbot agent test page ${i}`, { x: 50, y: size[1] - 100, size: 24, font });
  return doc.save();
}

const alnum = (n: number): string => [...randomBytes(n)].map((b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');
export const newJobId = (): string => `fax_${alnum(24)}`;
export const newOfferId = (): string => `off_${alnum(20)}`;

export class FakeEdge {
  readonly connections: EdgeConnectionRecord[] = [];
  readonly uploads: InboundUploadRecord[] = [];
  /** Agent messages that failed the protocol parser (should stay empty). */
  readonly invalid: string[] = [];
  readonly validTokens: Set<string>;
  heartbeatSeconds: number;
  autoPong = true;
  autoDialOk = true;
  autoResultAck = true;
  /** Statuses for the next uploads / document downloads (then 201 / 200). */
  uploadStatuses: number[] = [];
  documentStatuses: number[] = [];
  documentRequests = 0;
  /** Upgrade attempts refused with 401. */
  refused = 0;
  pdf: Uint8Array = new Uint8Array();
  /** Runs when an upload arrives, before answering (e.g. to look at the agent's spool). */
  onUpload: (() => void | Promise<void>) | undefined;
  readonly #server: http.Server;
  readonly #wss = new WebSocketServer({ noServer: true });
  #waiters: Array<() => void> = [];

  private constructor(tokens: string[], heartbeatSeconds: number) {
    this.validTokens = new Set(tokens);
    this.heartbeatSeconds = heartbeatSeconds;
    this.#server = http.createServer((req, res) => void this.#http(req, res));
    this.#server.on('upgrade', (req, socket, head) => {
      socket.on('error', () => undefined); // the agent may reset a refused upgrade
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      if (new URL(req.url ?? '/', 'http://x').pathname !== '/agent/connect' || !this.validTokens.has(token)) {
        this.refused += 1;
        this.#notify();
        socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, token));
    });
  }

  static async start(opts: { tokens: string[]; heartbeatSeconds?: number }): Promise<FakeEdge> {
    const edge = new FakeEdge(opts.tokens, opts.heartbeatSeconds ?? 15);
    edge.pdf = await makePdf(2);
    await new Promise<void>((resolve) => edge.#server.listen(0, '127.0.0.1', resolve));
    return edge;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  get current(): EdgeConnectionRecord | undefined {
    return this.connections.at(-1);
  }

  /** All agent messages of all connections, in order. */
  get messages(): AgentMessage[] {
    return this.connections.flatMap((c) => c.messages);
  }

  send(msg: EdgeMessageBody, conn = this.current): void {
    conn?.ws.send(encodeMessage(msg));
  }

  sendRaw(text: string, conn = this.current): void {
    conn?.ws.send(text);
  }

  offer(over: Partial<Extract<EdgeMessageBody, { type: 'offer' }>> = {}): { jobId: string; offerId: string } {
    const msg = {
      type: 'offer' as const, offerId: newOfferId(), jobId: newJobId(), to: '+15555550123', headerText: 'Clinic, "Main" \\ Fax',
      pages: 2, documentUrl: `${this.url}/documents/doc.pdf?sig=abc`, acceptBy: Date.now() + 60_000, ...over,
    };
    this.send(msg);
    return { jobId: msg.jobId, offerId: msg.offerId };
  }

  /** Drops every socket without a close handshake (network failure). */
  dropAll(): void {
    for (const c of this.connections) c.ws.terminate();
  }

  /** Resolves with the first value `probe` returns that is not undefined/false, re-checked on every event. */
  async waitFor<T>(probe: () => T | undefined | false, timeoutMs = 5000, what = 'condition'): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = probe();
      if (v !== undefined && v !== false) return v;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`fake edge: timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 50));
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The first message of `type` (optionally matching) seen after `from` messages. */
  find<T extends AgentMessage['type']>(type: T, match: (m: Extract<AgentMessage, { type: T }>) => boolean = () => true, list = this.messages): Extract<AgentMessage, { type: T }> | undefined {
    return list.find((m): m is Extract<AgentMessage, { type: T }> => m.type === type && match(m as Extract<AgentMessage, { type: T }>));
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.ws.terminate();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #notify(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  #accept(ws: WebSocket, token: string): void {
    const conn: EdgeConnectionRecord = { token, ws, messages: [], pings: 0, closed: false };
    this.connections.push(conn);
    ws.on('message', (data) => {
      const text = data.toString();
      if (text === HEARTBEAT_PING) {
        conn.pings += 1;
        if (this.autoPong) ws.send(HEARTBEAT_PONG);
        return this.#notify();
      }
      const parsed = parseAgentMessage(text);
      if (!parsed.ok) {
        this.invalid.push(`${parsed.error}: ${text.slice(0, 200)}`);
        return this.#notify();
      }
      const msg = parsed.message;
      conn.messages.push(msg);
      if (msg.type === 'progress' && msg.stage === 'dialing' && this.autoDialOk) this.send({ type: 'dial_ok', jobId: msg.jobId, offerId: msg.offerId }, conn);
      if (msg.type === 'result' && this.autoResultAck) this.send({ type: 'result_ack', jobId: msg.jobId, offerId: msg.offerId }, conn);
      this.#notify();
    });
    ws.on('close', () => {
      conn.closed = true;
      this.#notify();
    });
    this.send({ type: 'welcome', agentId: 'agt_test', heartbeatSeconds: this.heartbeatSeconds, serverTime: Date.now() }, conn);
    this.#notify();
  }

  async #http(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    if (req.method === 'GET' && url.pathname.startsWith('/documents/')) {
      this.documentRequests += 1;
      const status = this.documentStatuses.shift() ?? 200;
      if (status !== 200) res.writeHead(status).end('nope');
      else res.writeHead(200, { 'Content-Type': 'application/pdf', 'Content-Length': this.pdf.length }).end(this.pdf);
      return this.#notify();
    }
    if (req.method === 'POST' && url.pathname === '/agent/inbound') {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      if (!this.validTokens.has(token)) {
        res.writeHead(401).end();
        return;
      }
      const request = new Request(url, { method: 'POST', headers: req.headers as Record<string, string>, body: Readable.toWeb(req) as ReadableStream, duplex: 'half' } as RequestInit);
      const form = await request.formData();
      const fields: Record<string, string> = {};
      let file = new Uint8Array();
      for (const [k, v] of form.entries()) {
        if (typeof v === 'string') fields[k] = v;
        else file = new Uint8Array(await v.arrayBuffer());
      }
      await this.onUpload?.();
      const status = this.uploadStatuses.shift() ?? 201;
      this.uploads.push({ fields, file, status });
      res.writeHead(status, { 'Content-Type': 'application/json' }).end('{}');
      return this.#notify();
    }
    res.writeHead(404).end();
  }
}

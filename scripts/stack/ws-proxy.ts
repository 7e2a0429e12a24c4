// WebSocket -> TCP proxy: lets the Neon serverless driver (which speaks Postgres over WebSockets)
// reach a plain PostgreSQL server or embedded PGlite in development and tests.
// Only addresses on the allow-list can be reached, so the proxy cannot be used to open arbitrary sockets.
// With `observe`, it also follows the client's side of the Postgres protocol and records every
// connection (with its application_name) and the statements it sends, for measurements and tests
// of how many connections and queries the worker causes.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

/** One connection seen by an observing proxy. */
export interface ObservedConnection {
  id: number;
  /** application_name from the startup message ('' if none). */
  application: string;
  openedAt: number;
  closedAt: number | null;
}

/** One statement (simple Query or extended-protocol Parse) seen by an observing proxy. */
export interface ObservedStatement {
  connection: number;
  application: string;
  at: number;
  /** The statement text, shortened to 1000 characters. */
  sql: string;
}

export interface WsProxy {
  port: number;
  /** Filled only with `observe`: every connection, in order of opening. */
  connections: ObservedConnection[];
  /** Filled only with `observe`: every statement, in order. */
  statements: ObservedStatement[];
  /** Closes every open connection, as a network failure would (the proxy keeps listening). */
  dropConnections(): void;
  /** An outage: drops every connection and refuses new ones until restore(). */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startWsProxy(opts: { allow: string[]; port?: number; host?: string; observe?: boolean }): Promise<WsProxy> {
  const allowed = new Set(opts.allow);
  const connections: ObservedConnection[] = [];
  const statements: ObservedStatement[] = [];
  const open = new Set<{ drop(): void }>();
  let refusing = false;
  const wss = new WebSocketServer({ port: opts.port ?? 0, host: opts.host ?? '127.0.0.1' });
  wss.on('connection', (ws, req) => {
    const address = new URL(req.url ?? '/', 'http://proxy').searchParams.get('address') ?? '';
    if (!allowed.has(address)) {
      ws.close(1008, 'address not allowed');
      return;
    }
    if (refusing) {
      ws.close(1011, 'database unreachable');
      return;
    }
    const [host, port] = splitHostPort(address);
    const tcp = net.connect({ host, port });
    tcp.setNoDelay(true);
    const handle = { drop: () => (tcp.destroy(), ws.terminate()) };
    open.add(handle);
    const observe = opts.observe ? observer(connections, statements) : null;
    const pending: Buffer[] = [];
    let connected = false;
    tcp.on('connect', () => {
      connected = true;
      for (const chunk of pending.splice(0)) tcp.write(chunk);
    });
    ws.on('message', (data: Buffer) => {
      observe?.data(data);
      if (connected) tcp.write(data);
      else pending.push(data);
    });
    tcp.on('data', (data) => ws.readyState === ws.OPEN && ws.send(data));
    tcp.on('close', () => ws.close());
    tcp.on('error', () => ws.close());
    ws.on('close', () => {
      open.delete(handle);
      observe?.closed();
      tcp.destroy();
    });
    ws.on('error', () => tcp.destroy());
  });
  const dropConnections = () => {
    for (const h of [...open]) h.drop();
  };
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  return {
    port: (wss.address() as AddressInfo).port,
    connections,
    statements,
    dropConnections,
    cut: () => {
      refusing = true;
      dropConnections();
    },
    restore: () => {
      refusing = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

/** Follows the frontend message framing of one connection (startup, then type byte + length). */
function observer(connections: ObservedConnection[], statements: ObservedStatement[]) {
  let buf = Buffer.alloc(0);
  let conn: ObservedConnection | null = null;
  const cstring = (b: Buffer, from: number): [string, number] => {
    const end = b.indexOf(0, from);
    return end < 0 ? [b.toString('utf8', from), b.length] : [b.toString('utf8', from, end), end + 1];
  };
  return {
    data(chunk: Buffer) {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      for (;;) {
        if (!conn) {
          if (buf.length < 8) return;
          const len = buf.readInt32BE(0);
          if (buf.length < len) return;
          const code = buf.readInt32BE(4);
          if (code !== SSL_REQUEST && code !== GSSENC_REQUEST && code !== CANCEL_REQUEST) {
            const params = new Map<string, string>();
            for (let at = 8; at < len - 1; ) {
              const [key, next] = cstring(buf, at);
              const [value, after] = cstring(buf, next);
              params.set(key, value);
              at = after;
            }
            conn = { id: connections.length + 1, application: params.get('application_name') ?? '', openedAt: Date.now(), closedAt: null };
            connections.push(conn);
          }
          buf = buf.subarray(len);
          continue;
        }
        if (buf.length < 5) return;
        const len = buf.readInt32BE(1);
        if (buf.length < 1 + len) return;
        const type = String.fromCharCode(buf[0]!);
        const body = buf.subarray(5, 1 + len);
        let sql: string | null = null;
        if (type === 'Q') sql = cstring(body, 0)[0];
        else if (type === 'P') sql = cstring(body, cstring(body, 0)[1])[0];
        if (sql !== null) statements.push({ connection: conn.id, application: conn.application, at: Date.now(), sql: sql.replace(/\s+/g, ' ').slice(0, 1000) });
        buf = buf.subarray(1 + len);
      }
    },
    closed() {
      if (conn) conn.closedAt = Date.now();
    },
  };
}

function splitHostPort(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  return [address.slice(0, i), Number(address.slice(i + 1))];
}

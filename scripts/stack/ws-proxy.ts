// WebSocket proxy for the Neon serverless driver (Postgres over WebSockets) in development, tests and
// benchmarks, in front of a plain PostgreSQL server or embedded PGlite. It pools sessions the way
// Neon's proxy or Hyperdrive do in production (pg-session-pool.ts): a request's connection costs one
// pipelined round trip on a warm backend, not a TCP connect, a backend fork and SCRAM's 4,096 rounds.
// It reaches only the one database it was started for, so it cannot be used to open arbitrary sockets.
// The same port answers Neon's HTTP query protocol at POST /sql (pg-http-sql.ts), the worker's
// request path. With `observe` it records every session or HTTP request (with its
// application_name) and the statements it sends, for measurements and tests of how many
// connections and queries the worker causes.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { WebSocketServer } from 'ws';
import { servePooledSession } from './pg-frontend.ts';
import { createHttpSql } from './pg-http-sql.ts';
import { createSessionPool } from './pg-session-pool.ts';

/** One client connection (session), or one HTTP request, seen by an observing proxy. */
export interface ObservedConnection {
  id: number;
  kind: 'websocket' | 'http';
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
  /** Sessions (WebSocket sessions and HTTP requests) served and statements run, for benchmarks. */
  stats(): { sessions: number; statements: number };
  /** Filled only with `observe`: every connection, in order of opening. */
  connections: ObservedConnection[];
  /** Filled only with `observe`: every statement, in order. */
  statements: ObservedStatement[];
  /** Closes every open client connection, as a network failure would (the proxy keeps listening). */
  dropConnections(): void;
  /** An outage: drops every connection and refuses new ones until restore(). */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

const cstring = (b: Buffer, from: number): [string, number] => {
  const end = b.indexOf(0, from);
  return end < 0 ? [b.toString('utf8', from), b.length] : [b.toString('utf8', from, end), end + 1];
};

/** `preparedStatements`: the target is a PostgreSQL server, not embedded PGlite (pg-http-sql.ts). */
export async function startWsProxy(opts: { databaseUrl: string; port?: number; host?: string; observe?: boolean; preparedStatements?: boolean }): Promise<WsProxy> {
  const { hostname, port } = new URL(opts.databaseUrl);
  const target = `${hostname}:${port || 5432}`;
  const pool = createSessionPool(opts.databaseUrl);
  const counts = { sessions: 0, statements: 0 };
  const connections: ObservedConnection[] = [];
  const statements: ObservedStatement[] = [];
  const open = new Set<WebSocket>();
  const sockets = new Set<Socket>();
  let refusing = false;
  const sameDatabase = new URL(opts.databaseUrl);
  const httpSql = createHttpSql(
    opts.databaseUrl,
    (conn) =>
      pool.checkPassword(decodeURIComponent(conn.username), decodeURIComponent(conn.password)) &&
      `${conn.hostname}:${conn.port || 5432}` === target &&
      conn.pathname === sameDatabase.pathname,
    {
      request(application, sqls) {
        counts.sessions++;
        counts.statements += sqls.length;
        if (!opts.observe) return;
        const at = Date.now();
        const conn: ObservedConnection = { id: connections.length + 1, kind: 'http', application, openedAt: at, closedAt: at };
        connections.push(conn);
        for (const sql of sqls) statements.push({ connection: conn.id, application, at, sql: sql.replace(/\s+/g, ' ').slice(0, 1000) });
      },
    },
    { preparedStatements: opts.preparedStatements },
  );
  const server = http.createServer((req, res) => {
    if (refusing) return void req.socket.destroy();
    if (new URL(req.url ?? '/', 'http://proxy').pathname !== '/sql') {
      res.writeHead(404).end();
      return;
    }
    httpSql.handle(req, res);
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket: Socket) => {
    if (refusing) return void socket.destroy();
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws, req) => {
    const address = new URL(req.url ?? '/', 'http://proxy').searchParams.get('address') ?? '';
    if (address !== target) return ws.close(1008, 'address not allowed');
    if (refusing) return ws.close(1011, 'database unreachable');
    counts.sessions++;
    open.add(ws);
    let conn: ObservedConnection | null = null;
    servePooledSession(ws, pool, {
      started(params) {
        if (!opts.observe) return;
        conn = { id: connections.length + 1, kind: 'websocket', application: params.get('application_name') ?? '', openedAt: Date.now(), closedAt: null };
        connections.push(conn);
      },
      frame(type, body) {
        if (type === 'S' || type === 'Q') counts.statements++;
        if (!opts.observe || !conn) return;
        const sql = type === 'Q' ? cstring(body, 0)[0] : type === 'P' ? cstring(body, cstring(body, 0)[1])[0] : null;
        if (sql !== null) statements.push({ connection: conn.id, application: conn.application, at: Date.now(), sql: sql.replace(/\s+/g, ' ').slice(0, 1000) });
      },
    });
    ws.on('close', () => {
      open.delete(ws);
      if (conn) conn.closedAt = Date.now();
    });
  });
  const dropConnections = () => {
    for (const ws of [...open]) ws.terminate();
    for (const socket of [...sockets]) socket.destroy();
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    stats: () => ({ ...counts }),
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
        for (const socket of sockets) socket.destroy();
        pool.close();
        void httpSql.close().catch(() => {});
        wss.close(() => server.close(() => resolve()));
      }),
  };
}

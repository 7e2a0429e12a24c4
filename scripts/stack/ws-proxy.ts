// WebSocket proxy for the Neon serverless driver (Postgres over WebSockets) in development, tests and
// benchmarks, in front of a plain PostgreSQL server or embedded PGlite. It pools sessions the way
// Neon's proxy or Hyperdrive do in production (pg-session-pool.ts): a request's connection costs one
// pipelined round trip on a warm backend, not a TCP connect, a backend fork and SCRAM's 4,096 rounds.
// It reaches only the one database it was started for, so it cannot be used to open arbitrary sockets.
// With `observe` it records every session (with its application_name) and the statements it sends,
// for measurements and tests of how many connections and queries the worker causes.
import type { AddressInfo } from 'node:net';
import type { WebSocket } from 'ws';
import { WebSocketServer } from 'ws';
import { servePooledSession } from './pg-frontend.ts';
import { createSessionPool } from './pg-session-pool.ts';

/** One client connection (session) seen by an observing proxy. */
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
  /** Sessions served and statements run (Sync or simple Query messages), for benchmarks. */
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

export async function startWsProxy(opts: { databaseUrl: string; port?: number; host?: string; observe?: boolean }): Promise<WsProxy> {
  const { hostname, port } = new URL(opts.databaseUrl);
  const target = `${hostname}:${port || 5432}`;
  const pool = createSessionPool(opts.databaseUrl);
  const counts = { sessions: 0, statements: 0 };
  const connections: ObservedConnection[] = [];
  const statements: ObservedStatement[] = [];
  const open = new Set<WebSocket>();
  let refusing = false;
  const wss = new WebSocketServer({ port: opts.port ?? 0, host: opts.host ?? '127.0.0.1' });
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
        conn = { id: connections.length + 1, application: params.get('application_name') ?? '', openedAt: Date.now(), closedAt: null };
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
  };
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  return {
    port: (wss.address() as AddressInfo).port,
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
        pool.close();
        wss.close(() => resolve());
      }),
  };
}

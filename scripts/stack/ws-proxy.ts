// WebSocket proxy for the Neon serverless driver (Postgres over WebSockets) in development, tests and
// benchmarks, in front of a plain PostgreSQL server or embedded PGlite. It pools sessions the way
// Neon's proxy or Hyperdrive do in production (pg-session-pool.ts): a request's connection costs one
// pipelined round trip on a warm backend, not a TCP connect, a backend fork and SCRAM's 4,096 rounds.
// It reaches only the one database it was started for, so it cannot be used to open arbitrary sockets.
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { servePooledSession } from './pg-frontend.ts';
import { createSessionPool } from './pg-session-pool.ts';

export interface WsProxy {
  port: number;
  /** Sessions served and statements run (Sync or simple Query messages), for benchmarks. */
  stats(): { sessions: number; statements: number };
  close(): Promise<void>;
}

export async function startWsProxy(opts: { databaseUrl: string; port?: number; host?: string }): Promise<WsProxy> {
  const { hostname, port } = new URL(opts.databaseUrl);
  const target = `${hostname}:${port || 5432}`;
  const pool = createSessionPool(opts.databaseUrl);
  const counts = { sessions: 0, statements: 0 };
  const wss = new WebSocketServer({ port: opts.port ?? 0, host: opts.host ?? '127.0.0.1' });
  wss.on('connection', (ws, req) => {
    const address = new URL(req.url ?? '/', 'http://proxy').searchParams.get('address') ?? '';
    if (address !== target) return ws.close(1008, 'address not allowed');
    counts.sessions++;
    servePooledSession(ws, pool, () => counts.statements++);
  });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  return {
    port: (wss.address() as AddressInfo).port,
    stats: () => ({ ...counts }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        pool.close();
        wss.close(() => resolve());
      }),
  };
}

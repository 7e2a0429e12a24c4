// Session pooling for the dev/test WebSocket proxy (what Neon's proxy or Hyperdrive do in production):
// the proxy answers the client's Postgres handshake itself — cleartext password, checked in constant
// time against the database URL's, so the Neon driver can pipeline startup, password and first query
// (`pipelineConnect: "password"`) — and hands the session a backend connection it authenticated
// earlier (pg does SCRAM once per backend, not once per request). When the client leaves, the backend
// is reset (Sync, ROLLBACK, DISCARD ALL) and reused; anything unexpected destroys it instead.
import { createHash, timingSafeEqual } from 'node:crypto';
import type net from 'node:net';
import pg from 'pg';
import { frames, message, type Frame } from './pg-frames.ts';

interface Backend {
  socket: net.Socket;
  /** ParameterStatus ('S') and BackendKeyData ('K') messages, replayed to each client. */
  greeting: Buffer;
}

export interface SessionPool {
  /** Authenticates a client's startup + password and returns a backend for its session, or throws. */
  acquire(params: Map<string, string>): Promise<Backend>;
  release(backend: Backend): void;
  checkPassword(user: string, password: string): boolean;
  close(): void;
}

const MAX_IDLE = 8;
const RESET_TIMEOUT_MS = 5_000;

export function createSessionPool(databaseUrl: string): SessionPool {
  const url = new URL(databaseUrl);
  const user = decodeURIComponent(url.username);
  const database = decodeURIComponent(url.pathname.slice(1)) || user;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  const expected = digest(`${user}\0${decodeURIComponent(url.password)}`);
  const idle: Backend[] = [];
  const live = new Set<net.Socket>();
  let closed = false;

  const connect = async (): Promise<Backend> => {
    const client = new pg.Client({ connectionString: databaseUrl });
    const parts: Buffer[] = [];
    const connection = (client as unknown as { connection: pg.Connection & { stream: net.Socket } }).connection;
    connection.on('parameterStatus', (m: { parameterName: string; parameterValue: string }) => {
      parts.push(message('S', Buffer.from(`${m.parameterName}\0${m.parameterValue}\0`)));
    });
    await client.connect();
    const c = client as unknown as { processID: number; secretKey: number };
    const key = Buffer.alloc(8);
    key.writeInt32BE(c.processID ?? 0, 0);
    key.writeInt32BE(c.secretKey ?? 0, 4);
    parts.push(message('K', key));
    // Take the authenticated socket over from pg: from here on the proxy speaks the protocol.
    const socket = connection.stream;
    socket.removeAllListeners();
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      live.delete(socket);
      const i = idle.findIndex((b) => b.socket === socket);
      if (i >= 0) idle.splice(i, 1);
    });
    live.add(socket);
    return { socket, greeting: Buffer.concat(parts) };
  };

  const reset = (backend: Backend) => {
    const { socket } = backend;
    if (socket.destroyed || closed) return void socket.destroy();
    let sawDiscard = false;
    const timer = setTimeout(() => socket.destroy(), RESET_TIMEOUT_MS);
    const parse = frames((f: Frame) => {
      if (f.type === 'E' && sawDiscard) socket.destroy();
      if (f.type === 'C' && f.body.toString('latin1').startsWith('DISCARD ALL')) sawDiscard = true;
      if (f.type === 'Z' && sawDiscard) {
        clearTimeout(timer);
        socket.removeListener('data', parse);
        if (f.body[0] !== 0x49 /* I */ || idle.length >= MAX_IDLE || closed) return void socket.destroy();
        idle.push(backend);
      }
    });
    socket.on('data', parse);
    // Whatever the client left behind (responses in flight, an open transaction) ends here.
    socket.write(Buffer.concat([message('S', Buffer.alloc(0)), query('ROLLBACK'), query('DISCARD ALL')]));
  };

  return {
    checkPassword(name, password) {
      return timingSafeEqual(digest(`${name}\0${password}`), expected);
    },
    async acquire(params) {
      if ((params.get('user') ?? '') !== user || (params.get('database') ?? user) !== database) {
        throw new Error(`this proxy serves database "${database}" for user "${user}" only`);
      }
      for (let b = idle.pop(); b; b = idle.pop()) if (!b.socket.destroyed) return b;
      return connect();
    },
    release(backend) {
      backend.socket.removeAllListeners('data');
      reset(backend);
    },
    close() {
      closed = true;
      for (const socket of live) socket.destroy();
      idle.length = 0;
    },
  };
}

function query(sql: string): Buffer {
  return message('Q', Buffer.from(`${sql}\0`));
}

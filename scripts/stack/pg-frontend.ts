// One client session on the pooling proxy: the Postgres handshake is answered here (cleartext
// password, constant-time check) and the session then runs on a pooled, already-authenticated
// backend; the client's Terminate ends the session without closing the backend.
import type { WebSocket } from 'ws';
import { fatal, frames, message } from './pg-frames.ts';
import type { SessionPool } from './pg-session-pool.ts';

const PROTOCOL_3 = 196608;
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

const auth = (code: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(code);
  return message('R', b);
};

export interface SessionHooks {
  started?(params: Map<string, string>): void;
  /** Each message the client sends after authenticating (type byte and body). */
  frame?(type: string, body: Buffer): void;
}

export function servePooledSession(ws: WebSocket, pool: SessionPool, hooks: SessionHooks = {}): void {
  let startup = Buffer.alloc(0);
  let params: Map<string, string> | undefined;
  let backendPromise: Promise<Awaited<ReturnType<SessionPool['acquire']>>> | undefined;
  let backend: Awaited<ReturnType<SessionPool['acquire']>> | undefined;
  let authenticated = false;
  let ended = false;
  const queued: Buffer[] = [];

  const end = () => {
    if (ended) return;
    ended = true;
    if (backend) {
      backend.socket.removeListener('close', onBackendClose);
      pool.release(backend);
    } else backendPromise?.then((b) => pool.release(b), () => {});
    if (ws.readyState === ws.OPEN) ws.close();
  };
  const onBackendClose = () => {
    backend = undefined;
    ws.close();
  };
  const refuse = (code: string, text: string) => {
    if (ws.readyState === ws.OPEN) ws.send(fatal(code, text));
    end();
  };

  const onFrame = frames((f) => {
    if (ended) return;
    if (!authenticated) {
      if (f.type !== 'p') return refuse('08P01', 'expected a password message');
      const password = f.body.subarray(0, Math.max(0, f.body.length - 1)).toString('utf8');
      if (!pool.checkPassword(params!.get('user') ?? '', password)) {
        return refuse('28P01', `password authentication failed for user "${params!.get('user') ?? ''}"`);
      }
      authenticated = true;
      backendPromise!.then(
        (b) => {
          if (ended) return pool.release(b);
          backend = b;
          b.socket.on('close', onBackendClose);
          b.socket.on('data', (chunk: Buffer) => ws.readyState === ws.OPEN && ws.send(chunk));
          ws.send(Buffer.concat([auth(0), b.greeting, message('Z', Buffer.from('I'))]));
          for (const chunk of queued.splice(0)) b.socket.write(chunk);
        },
        (err: Error) => refuse('08006', `the database is unavailable: ${err.message}`),
      );
      return;
    }
    if (f.type === 'X') return end();
    hooks.frame?.(f.type, f.body);
    if (backend) backend.socket.write(f.raw);
    else queued.push(f.raw);
  });

  ws.on('message', (data: Buffer) => {
    if (params) return onFrame(data);
    startup = Buffer.concat([startup, data]);
    while (!params && startup.length >= 8 && startup.length >= startup.readInt32BE(0)) {
      const length = startup.readInt32BE(0);
      const code = startup.readInt32BE(4);
      const packet = startup.subarray(8, length);
      startup = startup.subarray(length);
      if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
        ws.send(Buffer.from('N'));
        continue;
      }
      if (code !== PROTOCOL_3) return refuse('08P01', 'unsupported startup request');
      const fields = packet.toString('utf8').split('\0');
      params = new Map();
      for (let i = 0; i + 1 < fields.length && fields[i] !== ''; i += 2) params.set(fields[i]!, fields[i + 1]!);
      hooks.started?.(params);
      backendPromise = pool.acquire(params);
      backendPromise.catch(() => {});
      ws.send(auth(3)); // AuthenticationCleartextPassword
      if (startup.length > 0) onFrame(startup);
    }
  });
  ws.on('close', end);
  ws.on('error', end);
}

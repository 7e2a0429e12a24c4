// WebSocket -> TCP proxy: lets the Neon serverless driver (which speaks Postgres over WebSockets)
// reach a plain PostgreSQL server or embedded PGlite in development and tests.
// Only addresses on the allow-list can be reached, so the proxy cannot be used to open arbitrary sockets.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

export interface WsProxy {
  port: number;
  close(): Promise<void>;
}

export async function startWsProxy(opts: { allow: string[]; port?: number; host?: string }): Promise<WsProxy> {
  const allowed = new Set(opts.allow);
  const wss = new WebSocketServer({ port: opts.port ?? 0, host: opts.host ?? '127.0.0.1' });
  wss.on('connection', (ws, req) => {
    const address = new URL(req.url ?? '/', 'http://proxy').searchParams.get('address') ?? '';
    if (!allowed.has(address)) {
      ws.close(1008, 'address not allowed');
      return;
    }
    const [host, port] = splitHostPort(address);
    const tcp = net.connect({ host, port });
    tcp.setNoDelay(true);
    const pending: Buffer[] = [];
    let open = false;
    tcp.on('connect', () => {
      open = true;
      for (const chunk of pending.splice(0)) tcp.write(chunk);
    });
    ws.on('message', (data: Buffer) => (open ? tcp.write(data) : pending.push(data)));
    tcp.on('data', (data) => ws.readyState === ws.OPEN && ws.send(data));
    tcp.on('close', () => ws.close());
    tcp.on('error', () => ws.close());
    ws.on('close', () => tcp.destroy());
    ws.on('error', () => tcp.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  return {
    port: (wss.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}

function splitHostPort(address: string): [string, number] {
  const i = address.lastIndexOf(':');
  return [address.slice(0, i), Number(address.slice(i + 1))];
}

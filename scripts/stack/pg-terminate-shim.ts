// TCP pass-through in front of pglite-socket that makes PGlite's single backend safe for many
// clients: it follows the Postgres message framing in both directions and
// - closes the connection after the client's Terminate ('X') message, as a real server does;
// - serialises clients: one client at a time owns the backend from its first message until the
//   server says ReadyForQuery with status idle ('Z' 'I'), so an extended-protocol exchange or a
//   whole transaction is never interleaved with another client's messages (pglite-socket alone
//   interleaves them, which loses unnamed portals and mixes transactions).
import net from 'node:net';
import type { AddressInfo } from 'node:net';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

interface Conn {
  client: net.Socket;
  upstream: net.Socket;
  pending: Buffer[];
}

export async function terminateAwareShim(opts: { port: number; target: { host: string; port: number } }) {
  const sockets = new Set<net.Socket>();
  let owner: Conn | null = null;
  const waiting: Conn[] = [];

  const grant = (conn: Conn) => {
    owner = conn;
    for (const chunk of conn.pending.splice(0)) conn.upstream.write(chunk);
  };
  const release = (conn: Conn) => {
    if (owner !== conn) {
      const i = waiting.indexOf(conn);
      if (i >= 0) waiting.splice(i, 1);
      return;
    }
    owner = null;
    const next = waiting.shift();
    if (next) grant(next);
  };
  const send = (conn: Conn, chunk: Buffer) => {
    if (owner === conn) return void conn.upstream.write(chunk);
    conn.pending.push(chunk);
    if (owner === null) grant(conn);
    else if (!waiting.includes(conn)) waiting.push(conn);
  };

  const server = net.createServer((client) => {
    const upstream = net.connect(opts.target);
    // Small protocol messages must not wait for Nagle + delayed ACK (40 ms a round trip).
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const conn: Conn = { client, upstream, pending: [] };
    sockets.add(client).add(upstream);
    let buf = Buffer.alloc(0);
    let startupDone = false;
    let sslReplies = 0;
    client.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      // Complete messages of this chunk go upstream in one write.
      const batch: Buffer[] = [];
      const flush = () => {
        if (batch.length) send(conn, Buffer.concat(batch.splice(0)));
      };
      for (;;) {
        if (!startupDone) {
          if (buf.length < 8) break;
          const len = buf.readInt32BE(0);
          if (buf.length < len) break;
          const code = buf.readInt32BE(4);
          upstream.write(buf.subarray(0, len));
          buf = buf.subarray(len);
          if (code === SSL_REQUEST || code === GSSENC_REQUEST) sslReplies += 1;
          else startupDone = true;
          continue;
        }
        if (buf.length < 5) break;
        const type = buf[0];
        const len = buf.readInt32BE(1);
        if (buf.length < 1 + len) break;
        const message = buf.subarray(0, 1 + len);
        buf = buf.subarray(1 + len);
        if (type === 0x58 /* 'X' Terminate */) {
          flush();
          upstream.end();
          client.end();
          return;
        }
        batch.push(Buffer.from(message));
      }
      flush();
    });

    let down = Buffer.alloc(0);
    upstream.on('data', (d: Buffer) => {
      client.write(d);
      down = Buffer.concat([down, d]);
      for (;;) {
        if (sslReplies > 0) {
          if (down.length < 1) break;
          down = down.subarray(1);
          sslReplies -= 1;
          continue;
        }
        if (down.length < 5) break;
        const type = down[0];
        const len = down.readInt32BE(1);
        if (down.length < 1 + len) break;
        const status = down[5];
        down = down.subarray(1 + len);
        if (type === 0x5a /* 'Z' ReadyForQuery */) {
          if (status === 0x49 /* 'I' idle */) release(conn);
        }
      }
    });
    const cleanup = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
      if (owner === conn || waiting.includes(conn)) release(conn);
    };
    upstream.on('close', cleanup);
    client.on('close', cleanup);
    upstream.on('error', cleanup);
    client.on('error', cleanup);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

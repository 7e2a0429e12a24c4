// TCP pass-through in front of pglite-socket that follows the Postgres frontend message framing
// and closes the connection after the client's Terminate ('X') message, as a real server does.
import net from 'node:net';
import type { AddressInfo } from 'node:net';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

export async function terminateAwareShim(opts: { port: number; target: { host: string; port: number } }) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(opts.target);
    sockets.add(client).add(upstream);
    let buf = Buffer.alloc(0);
    let startupDone = false;
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        if (!startupDone) {
          if (buf.length < 8) break;
          const len = buf.readInt32BE(0);
          if (buf.length < len) break;
          const code = buf.readInt32BE(4);
          buf = buf.subarray(len);
          if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) startupDone = true;
          continue;
        }
        if (buf.length < 5) break;
        const type = buf[0];
        const len = buf.readInt32BE(1);
        if (buf.length < 1 + len) break;
        buf = buf.subarray(1 + len);
        if (type === 0x58 /* 'X' Terminate */) {
          upstream.end();
          client.end();
          return;
        }
      }
    });
    const cleanup = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    upstream.on('data', (d) => client.write(d));
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

// Embedded PostgreSQL (PGlite, WASM) served over TCP: the zero-install database for `npm run dev`
// and the embedded test path. Data lives in a directory so it survives restarts.
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import net from 'node:net';
import { terminateAwareShim } from './pg-terminate-shim.ts';

export interface EmbeddedPostgres {
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

export async function startEmbeddedPostgres(opts: { dataDir?: string; port?: number }): Promise<EmbeddedPostgres> {
  const db = await PGlite.create(opts.dataDir ?? 'memory://');
  const innerPort = await freePort();
  const server = new PGLiteSocketServer({
    db,
    port: innerPort,
    host: '127.0.0.1',
    maxConnections: 256,
    debug: !!process.env.PGLITE_DEBUG,
  });
  await server.start();
  // pglite-socket keeps a connection open after the client's Terminate message, unlike a real
  // server; the shim closes it, so connections do not pile up until the limit.
  const shim = await terminateAwareShim({ port: opts.port ?? 0, target: { host: '127.0.0.1', port: innerPort } });
  return {
    // PGlite accepts any password; the URL still carries one so the same code path serves real servers.
    url: `postgres://postgres:postgres@127.0.0.1:${shim.port}/postgres`,
    host: '127.0.0.1',
    port: shim.port,
    async close() {
      await shim.close();
      await server.stop();
      await db.close();
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

// Embedded PostgreSQL (PGlite, WASM) served over TCP: the zero-install database for `npm run dev`
// and the embedded test path. Data lives in a directory so it survives restarts.
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import net from 'node:net';

export interface EmbeddedPostgres {
  url: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

export async function startEmbeddedPostgres(opts: { dataDir?: string; port?: number }): Promise<EmbeddedPostgres> {
  const db = await PGlite.create(opts.dataDir ?? 'memory://');
  const port = opts.port ?? (await freePort());
  const server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections: 256 });
  await server.start();
  return {
    // PGlite accepts any password; the URL still carries one so the same code path serves real servers.
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    host: '127.0.0.1',
    port,
    async close() {
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

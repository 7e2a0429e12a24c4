// Local HTTP endpoint for monitoring: GET /healthz (200 when the edge and AMI are connected, else 503, JSON)
// and GET /metrics (Prometheus text). Binds to HEALTH_HOST (127.0.0.1 by default); nothing else is served.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AgentMetrics } from './metrics.ts';
import { AGENT_VERSION } from './version.ts';

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startHealthServer(opts: { host: string; port: number; metrics: AgentMetrics; shuttingDown: () => boolean }): Promise<HealthServer> {
  const { metrics } = opts;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://agent');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (url.pathname === '/healthz') {
      const ok = metrics.edgeConnected && metrics.amiConnected && !opts.shuttingDown();
      const body = JSON.stringify({
        status: ok ? 'ok' : 'unavailable',
        edge: metrics.edgeConnected ? 'connected' : 'disconnected',
        ami: metrics.amiConnected ? 'connected' : 'disconnected',
        shuttingDown: opts.shuttingDown(),
        callsInFlight: metrics.callsInFlight,
        version: AGENT_VERSION,
      });
      res.writeHead(ok ? 200 : 503, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(body);
      return;
    }
    if (url.pathname === '/metrics') {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(metrics.render());
      return;
    }
    res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"not_found"}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// /health/ready must answer 503 and name the failing check when a dependency is down. This starts
// a second worker whose database port is closed and whose S3 secret is wrong.
import path from 'node:path';
import os from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../../scripts/stack/embedded-postgres.ts';
import { startWorkerProcess, type WorkerProcess } from '../../../scripts/stack/worker-process.ts';
import { registeredRoutes } from '../../support/routes.ts';

const ADMIN = 'ready-test-admin-key-0123456789abcdef';
let worker: WorkerProcess;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'faxbot-ready-'));
  const closedPort = await freePort();
  worker = await startWorkerProcess({
    portFactory: freePort,
    port: await freePort(),
    varsFile: path.join(dir, 'vars'),
    persistTo: path.join(dir, 'wrangler'),
    vars: {
      ...inject('stackVars'),
      DATABASE_URL: `postgres://nobody:nothing@127.0.0.1:${closedPort}/none`,
      DATABASE_WS_PROXY: `127.0.0.1:${closedPort}/v1`,
      S3_SECRET_ACCESS_KEY: 'wrong-secret',
      ENVIRONMENT: 'test',
      API_KEY: ADMIN,
      PDF_TOKEN_SECRET: 'ready-test-pdf-secret-0123456789abcdef',
    },
  });
});

afterAll(async () => {
  await worker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /health/ready with broken dependencies', () => {
  it('answers 503 naming the database and storage checks', async () => {
    const res = await fetch(`${worker.url}/health/ready`);
    expect(res.status).toBe(503);
    const body: any = await res.json();
    expect(body.checks.database.ok).toBe(false);
    expect(body.checks.storage.ok).toBe(false);
    expect(body.checks.storage.error).toContain('SignatureDoesNotMatch');
    expect(body.checks.backend.ok).toBe(true);
    expect(body.error.code).toBe('not_ready');
    expect(body.error.message).toContain('database');
    expect(JSON.stringify(body)).not.toContain('wrong-secret');
  });

  it('keeps liveness green', async () => {
    expect((await fetch(`${worker.url}/health`)).status).toBe(200);
  });

  it('turns a database outage on an API route into 503 database_unavailable with Retry-After', async () => {
    const res = await fetch(`${worker.url}/fax`, { headers: { authorization: 'Bearer fbk_aaaaaaaaaaaaaaaa_' + 'A'.repeat(43) } });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    const body: any = await res.json();
    expect(body.error.code).toBe('database_unavailable');
    expect(body.error.request_id).toMatch(/^req_/);
    expect(JSON.stringify(body)).not.toMatch(/\.ts:\d+/);
  });

  it('never answers 500 on any route during the outage: 503 with Retry-After, or a 4xx for bad input', async () => {
    const routes = registeredRoutes().filter((r) => !r.path.startsWith('/health'));
    expect(routes.length).toBeGreaterThan(15);
    for (const r of routes) {
      const path = r.path.replace(/:([A-Za-z_]+)(\{[^}]*\})?/g, (_, name: string) => (r.path.startsWith('/fax/') ? 'fax_abcdefghijklmnopqrstuvwx' : name === 'number' ? '%2B15555550100' : 'abcdefghij012345'));
      const isAgent = r.path.startsWith('/agent');
      const headers: Record<string, string> = { authorization: `Bearer ${isAgent ? 'fba_abcdefghij012345_' + 'A'.repeat(43) : ADMIN}` };
      let body: BodyInit | undefined;
      if (r.method === 'POST' && r.path === '/fax') {
        const form = new FormData();
        form.set('to', '+15555550100');
        form.set('file', new Blob(['hello']), 'a.txt');
        body = form;
      } else if (['POST', 'PUT', 'PATCH'].includes(r.method)) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify({ name: 'x', owner: 'x', scopes: ['fax:read'] });
      }
      const res = await fetch(`${worker.url}${path}`, { method: r.method, headers, body });
      const text = await res.text();
      expect(res.status, `${r.method} ${r.path} -> ${res.status} ${text.slice(0, 200)}`).not.toBe(500);
      if (res.status >= 500) {
        expect(res.status, `${r.method} ${r.path}`).toBe(503);
        expect(res.headers.get('retry-after'), `${r.method} ${r.path} without Retry-After`).toMatch(/^\d+$/);
        expect(JSON.parse(text).error.code, `${r.method} ${r.path}`).toMatch(/^(database|storage)_unavailable$|^provider_not_configured$/);
      }
    }
  });
});

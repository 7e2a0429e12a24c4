// /health/ready must answer 503 and name the failing check when a dependency is down. This starts
// a second worker whose database port is closed and whose S3 secret is wrong.
import path from 'node:path';
import os from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../../scripts/stack/embedded-postgres.ts';
import { startWorkerProcess, type WorkerProcess } from '../../../scripts/stack/worker-process.ts';

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
      API_KEY: 'ready-test-admin-key-0123456789abcdef',
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

  it('turns a database outage on an API route into a JSON 5xx, not a crash', async () => {
    const res = await fetch(`${worker.url}/fax`, { headers: { authorization: 'Bearer fbk_aaaaaaaaaaaaaaaa_' + 'A'.repeat(43) } });
    expect(res.status).toBeGreaterThanOrEqual(500);
    const body: any = await res.json();
    expect(body.error.request_id).toMatch(/^req_/);
    expect(JSON.stringify(body)).not.toMatch(/\.ts:\d+/);
  });
});

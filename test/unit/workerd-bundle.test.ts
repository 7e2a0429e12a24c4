// The production bundle (`wrangler deploy --dry-run`) boots in plain workerd with wrangler.toml's
// bindings and reaches the local Postgres (through the WebSocket proxy) and S3 on loopback: the
// harness scripts/bench-workerd.ts measures CPU per request on. Starts its own local stack.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { startLocalStack, type LocalStack } from '../../scripts/stack/local-stack.ts';
import { buildProductionBundle } from '../../scripts/stack/workerd-config.ts';
import { processCpuMs, startWorkerdProcess, type WorkerdProcess } from '../../scripts/stack/workerd-process.ts';

const ADMIN = 'workerd-test-admin-key-0123456789abcdef';
const auth = { authorization: `Bearer ${ADMIN}` };

describe('production bundle in plain workerd', () => {
  let dir: string;
  let stack: LocalStack | undefined;
  let worker: WorkerdProcess | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'faxbot-workerd-test-'));
    // The build (wrangler, esbuild) and the stack (PGlite, migrations) start side by side.
    const [started] = await Promise.all([startLocalStack({ dataDir: dir, ephemeral: true }), buildProductionBundle(path.join(dir, 'bundle'))]);
    stack = started;
    worker = await startWorkerdProcess({
      dir: path.join(dir, 'workerd'),
      bundleDir: path.join(dir, 'bundle'),
      vars: { ...stack.vars, ENVIRONMENT: 'test', API_KEY: ADMIN, PDF_TOKEN_SECRET: 'workerd-test-pdf-secret-0123456789abcdef', MAX_REQUESTS_PER_MINUTE: '100000' },
    });
  }, 180_000);

  afterAll(async () => {
    await worker?.stop();
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('runs the dry-run bundle with every Durable Object class and the vars as text bindings', () => {
    const config = readFileSync(path.join(dir, 'workerd', 'config.capnp'), 'utf8');
    for (const cls of ['JobScheduler', 'RateLimiter', 'AgentHub']) expect(config).toContain(`(className = "${cls}", uniqueKey = "faxbot-${cls}", enableSql = true)`);
    expect(config).toContain('esModule = embed "../bundle/index.js"');
    expect(config).toContain('compatibilityFlags = ["nodejs_compat"]');
    expect(config).toContain('(name = "ENVIRONMENT", text = "test")');
  });

  it('answers /health and /health/ready (database and S3 reached on loopback)', async () => {
    expect((await fetch(`${worker!.url}/health`)).status).toBe(200);
    const ready = await fetch(`${worker!.url}/health/ready`);
    expect(ready.status, await ready.clone().text()).toBe(200);
    expect(((await ready.json()) as { status: string }).status).toBe('ready');
  }, 30_000);

  it('accepts a fax (202) and reads it back (200)', async () => {
    const form = new FormData();
    form.set('to', '+15555550123');
    form.set('file', new Blob([new Uint8Array(await onePagePdf())], { type: 'application/pdf' }), 'page.pdf');
    const sent = await fetch(`${worker!.url}/fax`, { method: 'POST', headers: auth, body: form });
    const body = (await sent.json()) as { id: string; status: string };
    expect(sent.status, JSON.stringify(body)).toBe(202);
    expect(body.id).toMatch(/^fax_/);
    const read = await fetch(`${worker!.url}/fax/${body.id}`, { headers: auth });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { id: string }).id).toBe(body.id);
  }, 30_000);

  it('runs the scheduled() handler on demand (plain workerd has no cron of its own)', async () => {
    expect(await worker!.scheduled('* * * * *')).toBe('ok');
  }, 30_000);

  it('reports the workerd process CPU time', () => {
    const a = processCpuMs(worker!.pid);
    expect(a).toBeGreaterThan(0);
    expect(worker!.cpuMs()).toBeGreaterThanOrEqual(a);
  });
});

async function onePagePdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.addPage([612, 792]).drawText('Faxbot workerd test page', { x: 72, y: 700, font, size: 14 });
  return doc.save();
}

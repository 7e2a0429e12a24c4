// `npm run dev` (scripts/dev.ts) end to end: worker variables set in the environment and in a
// .dev.vars file reach the started worker (environment first), values with `$`, `#`, quotes and
// backslashes survive the trip through wrangler's --env-file, the startup output names the file,
// the variables and the file's dotenv traps without printing a secret, and the development
// default for failed authentications does not lock the developer out. It reuses the test
// database and S3 server.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../../scripts/stack/embedded-postgres.ts';
import { json } from '../../support/api.ts';
import { CONFIG_VARIABLES } from '../../../worker/config.ts';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const EHR = 'https://ehr.example.org';
/** An admin key dotenv-expand would mangle if the vars file did not escape it. */
const ADMIN_KEY = 'dev-key-$HOME-${PATH}-#1-"q"-\\x-0123456789abcdef';

let dir: string;
let child: ChildProcess;
let output = '';
let url: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'faxbot-dev-'));
  const devVars = path.join(dir, 'dev.vars');
  writeFileSync(
    devVars,
    [
      '# a developer\'s .dev.vars',
      `CORS_ORIGINS=${EHR}`,
      'MAX_REQUESTS_PER_MINUTE=99   # the environment says 7',
      `API_KEY='${ADMIN_KEY}'`,
      'NOT_A_WORKER_VARIABLE=1',
      'SANDBOX_STEP_MS=100#ms', // dotenv reads 100, and npm run dev points out the cut
    ].join('\n'),
  );
  const stack = inject('stackVars');
  // Only what this test sets: none of the runner's own worker variables may leak in.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !CONFIG_VARIABLES.includes(k) && !k.startsWith('FAXBOT_')));
  const port = await freePort();
  child = spawn(process.execPath, ['scripts/dev.ts'], {
    cwd: ROOT,
    detached: true, // its own process group, so a hung run can be stopped with everything it started
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...env,
      PORT: String(port),
      FAXBOT_DATA_DIR: path.join(dir, 'data'),
      FAXBOT_DEV_VARS: devVars,
      MAX_REQUESTS_PER_MINUTE: '7',
      DATABASE_URL: stack.DATABASE_URL,
      S3_ENDPOINT: stack.S3_ENDPOINT,
      S3_BUCKET: stack.S3_BUCKET,
      S3_ACCESS_KEY_ID: stack.S3_ACCESS_KEY_ID,
      S3_SECRET_ACCESS_KEY: stack.S3_SECRET_ACCESS_KEY,
    },
  });
  const collect = (chunk: Buffer) => (output += chunk.toString());
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm run dev did not start in time:\n${output}`)), 90_000);
    const check = () => {
      const m = /Faxbot API is running at (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        url = m[1]!;
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm run dev exited (${code}):\n${output}`));
    });
  });
}, 100_000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM'); // dev.ts stops wrangler and its services, then exits
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 20_000);

const adminGet = (route: string) => fetch(`${url}${route}`, { headers: { authorization: `Bearer ${ADMIN_KEY}`, origin: EHR } });

describe('npm run dev with .dev.vars and environment variables', () => {
  it('passes schema variables from both: CORS_ORIGINS from .dev.vars, MAX_REQUESTS_PER_MINUTE from the environment', async () => {
    const res = await adminGet('/fax');
    expect(res.status).toBe(200); // the API_KEY from .dev.vars, `$`, `#`, quotes and all
    expect(res.headers.get('access-control-allow-origin')).toBe(EHR);
    expect(res.headers.get('ratelimit-limit')).toBe('7');
    await res.arrayBuffer();
    const config = await json(await adminGet('/admin/config'));
    expect(config).toMatchObject({
      environment: 'development',
      limits: { max_requests_per_minute: 7 },
      security: { cors_origins: [EHR] },
      problems: [],
    });
  });

  it('does not lock the developer out after ten bad keys: every local client is 127.0.0.1, and the dev limit is 1000', async () => {
    const config = await json(await adminGet('/admin/config'));
    expect(config.limits.auth_failures_per_minute).toBe(1000);
    const requestId = `dev-authfail-${process.pid}-${Date.now()}`;
    for (let i = 0; i < 12; i++) {
      const res = await fetch(`${url}/fax`, { headers: { authorization: `Bearer fbk_wrongwrongwrong0_${'A'.repeat(43)}`, 'x-request-id': `${requestId}-${i}` } });
      expect(res.status).toBe(401);
      await res.arrayBuffer();
    }
    const res = await adminGet('/fax');
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    // The failures were all counted against one address: the one wrangler dev gives every local request.
    const audit = await json(await adminGet('/admin/audit?action=auth.failure&limit=200'));
    const mine = audit.data.filter((e: { request_id?: string }) => e.request_id?.startsWith(requestId));
    expect(mine.length).toBeGreaterThan(0);
    expect(new Set(mine.map((e: { client_ip: string }) => e.client_ip))).toEqual(new Set(['127.0.0.1']));
  });

  it('says which file it read and where each variable came from, without printing the admin key', () => {
    expect(output).toContain(`dev.vars: read (API_KEY, SANDBOX_STEP_MS, CORS_ORIGINS)`);
    expect(output).toContain('dev.vars line 6 SANDBOX_STEP_MS: unquoted value is cut at a hash sign');
    expect(output).toMatch(/environment: [A-Z_, ]*MAX_REQUESTS_PER_MINUTE/);
    expect(output).toContain('overridden by the environment: MAX_REQUESTS_PER_MINUTE');
    expect(output).toContain('(not worker variables): NOT_A_WORKER_VARIABLE');
    expect(output).toContain('Admin key (all scopes): API_KEY from ');
    expect(output).not.toContain('0123456789abcdef');
  });
});

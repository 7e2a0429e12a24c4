// Unit tests for scripts/check-env.ts: file traps (on dotenv's reading) + production profile + worker config problems,
// exit codes 0/1/2, default file choice, and one real `node scripts/check-env.ts <file>` run.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkEnv, runCheckEnv } from '../../scripts/check-env.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PDF_SECRET = 'q8VnR2xT5mW9zK3pL7cF1hJ4dS6gB0yN-uE_aQwZt';
const S3_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ1a2b3c4d';

const CLEAN = [
  '# Production settings for fax.example.org',
  'ENVIRONMENT=production',
  'DATABASE_URL="postgres://faxbot:Pw4dbUser0nly@db.example.org/faxbot?sslmode=require"',
  'S3_ENDPOINT=https://s3.us-east-1.amazonaws.com',
  'S3_BUCKET=faxbot-documents',
  'S3_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE',
  `S3_SECRET_ACCESS_KEY=${S3_SECRET}`,
  `PDF_TOKEN_SECRET='${PDF_SECRET}'`,
  'PUBLIC_API_URL=https://fax.example.org',
  'CORS_ORIGINS=https://app.example.org',
  'AUDIT_RETENTION_DAYS=365 # six years is common for HIPAA documentation',
  'FAX_HEADER="Faxbot Demo"',
  'TZ=America/New_York',
  '',
].join('\n');

let dir: string;
const write = (name: string, text: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
};

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'faxbot-check-env-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('checkEnv', () => {
  it('passes a clean production file', () => {
    const report = checkEnv(CLEAN);
    expect(report).toMatchObject({ fromFile: true, production: true, problemCount: 0 });
    expect(runCheckEnv([write('clean.env', CLEAN)])).toMatchObject({ exitCode: 0, output: expect.stringContaining('No problems found.') });
  });

  it('flags an unquoted FAX_HEADER with spaces and a duplicated key, exit 1 (done means)', () => {
    const text = CLEAN.replace('FAX_HEADER="Faxbot Demo"', 'FAX_HEADER=Faxbot Demo') + 'S3_BUCKET=faxbot-other\n';
    const report = checkEnv(text);
    expect(report.fileProblems.map((p) => [p.line, p.variable])).toEqual([
      [12, 'FAX_HEADER'],
      [14, 'S3_BUCKET'],
    ]);
    const { exitCode, output } = runCheckEnv([write('traps.env', text)]);
    expect(exitCode).toBe(1);
    expect(output).toContain('line 12 FAX_HEADER: value contains spaces but is not quoted');
    expect(output).toContain('line 14 S3_BUCKET: defined more than once (lines 5 and 14)');
    expect(output).toContain('2 problems found.');
    expect(output).not.toMatch(/Faxbot Demo|faxbot-other|faxbot-documents/);
  });

  it('checks the values wrangler will use: dotenv cuts an unquoted secret at #', () => {
    // 35 characters as written, `abc` to dotenv (and so to wrangler): too short, and the cut is reported.
    const text = CLEAN.replace(`PDF_TOKEN_SECRET='${PDF_SECRET}'`, 'PDF_TOKEN_SECRET=abc#def0123456789abcdef0123456789');
    const report = checkEnv(text);
    expect(report.fileProblems).toEqual([{ line: 8, variable: 'PDF_TOKEN_SECRET', problem: expect.stringMatching(/cut at a hash sign/) }]);
    expect(report.productionProblems).toContainEqual(expect.stringMatching(/^PDF_TOKEN_SECRET: .*32/));
    expect(runCheckEnv([write('hash.env', text)]).output).not.toMatch(/abc#|def0123/);
  });

  it('flags ENVIRONMENT=production with API_KEY=changeme', () => {
    const report = checkEnv(`${CLEAN}API_KEY=changeme\n`);
    expect(report.productionProblems).toEqual([
      'API_KEY: no bootstrap admin key in production; create the first admin key with `npm run keys:create` instead',
      'API_KEY: is a well-known or trivially guessable value',
    ]);
    expect(report.configProblems).toEqual([]); // parseConfig's copies of these are not listed twice
    expect(runCheckEnv([write('weak.env', `${CLEAN}API_KEY=changeme\n`)]).output).not.toContain('changeme');
  });

  it('treats an unset ENVIRONMENT as production', () => {
    const report = checkEnv(CLEAN.replace('ENVIRONMENT=production\n', 'API_KEY=changeme\n'));
    expect(report.production).toBe(true);
    expect(report.productionProblems).toContain('API_KEY: is a well-known or trivially guessable value');
  });

  it('flags a reused secret naming both variables, never the value', () => {
    const text = `${CLEAN}AGENT_TOKEN_SECRET=${PDF_SECRET}\n`;
    expect(checkEnv(text).productionProblems).toEqual([
      'PDF_TOKEN_SECRET and AGENT_TOKEN_SECRET: the same secret is reused for different purposes; use a distinct value for each',
    ]);
    const { exitCode, output } = runCheckEnv([write('reused.env', text)]);
    expect(exitCode).toBe(1);
    expect(output).toContain('PDF_TOKEN_SECRET and AGENT_TOKEN_SECRET');
    expect(output).not.toContain(PDF_SECRET.slice(0, 8));
    expect(output).not.toContain(S3_SECRET.slice(0, 8));
  });

  it('skips the production profile in development but still reports config problems', () => {
    const report = checkEnv('ENVIRONMENT=development\nREQUIRE_API_KEY=false\nAPI_KEY=changeme\n');
    expect(report.production).toBe(false);
    expect(report.productionProblems).toEqual([]);
    expect(report.configProblems).toContain('DATABASE_URL: is required');
    expect(report.configProblems).not.toContain(expect.stringMatching(/^REQUIRE_API_KEY/));
  });

  it('names what a routed cloud provider lacks (FAX_BACKEND or the fallback)', () => {
    const report = checkEnv('ENVIRONMENT=development\nFAX_BACKEND=sip\nFAX_FALLBACK_BACKEND=sinch\nSINCH_PROJECT_ID=p\n');
    expect(report.configProblems).toEqual(expect.arrayContaining(['SINCH_KEY_ID: required for the sinch backend', 'SINCH_CALLBACK_PASSWORD: required for the sinch backend']));
    const prod = checkEnv({ ENVIRONMENT: 'production', FAX_BACKEND: 'phaxio', PHAXIO_VERIFY_SIGNATURE: 'false', PHAXIO_CALLBACK_TOKEN: 'short' });
    expect(prod.productionProblems).toEqual(expect.arrayContaining(['PHAXIO_VERIFY_SIGNATURE: webhook signature verification must stay enabled in production', 'PHAXIO_CALLBACK_TOKEN: must be at least 32 characters']));
    expect(prod.configProblems).toContain('PHAXIO_API_KEY: required for the phaxio backend');
  });

  it('checks an already-parsed environment (no file traps)', () => {
    const report = checkEnv({ ENVIRONMENT: 'production', PUBLIC_API_URL: 'http://fax.example.org', UNRELATED: undefined });
    expect(report.fromFile).toBe(false);
    expect(report.productionProblems).toContain('PUBLIC_API_URL: must be an https:// URL in production');
    expect(report.configProblems).toContain('S3_BUCKET: is required');
  });
});

describe('runCheckEnv', () => {
  it('defaults to .env, then .dev.vars, then the given process environment', () => {
    const cwd = path.join(dir, 'defaults');
    mkdirSync(cwd);
    expect(runCheckEnv([], cwd, { ENVIRONMENT: 'test' }).output).toMatch(/^check-env: process environment\n/);
    writeFileSync(path.join(cwd, '.dev.vars'), CLEAN);
    expect(runCheckEnv([], cwd, {})).toEqual({ exitCode: 0, output: expect.stringMatching(/^check-env: \.dev\.vars\n/) });
    writeFileSync(path.join(cwd, '.env'), 'FAX_HEADER=Faxbot Demo\n');
    expect(runCheckEnv([], cwd, {})).toMatchObject({ exitCode: 1, output: expect.stringMatching(/^check-env: \.env\n/) });
  });

  it('exits 2 for a missing or unreadable file and for bad usage', () => {
    expect(runCheckEnv([path.join(dir, 'missing.env')])).toMatchObject({ exitCode: 2, output: expect.stringContaining('ENOENT') });
    expect(runCheckEnv([dir]).exitCode).toBe(2);
    expect(runCheckEnv(['a.env', 'b.env']).exitCode).toBe(2);
    expect(runCheckEnv(['--help'])).toMatchObject({ exitCode: 0, output: expect.stringContaining('usage') });
  });

  it('runs as `node scripts/check-env.ts <file>` with exit codes 1 and 0', () => {
    const run = (file: string) =>
      spawnSync(process.execPath, ['scripts/check-env.ts', file], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
    const bad = run(write('spawn-bad.env', `${CLEAN}FAX_HEADER=Faxbot Demo\nAPI_KEY=changeme\n`));
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('FAX_HEADER: defined more than once (lines 12 and 14)');
    expect(bad.stdout).toContain('API_KEY: is a well-known or trivially guessable value');
    expect(bad.stdout).not.toMatch(/changeme|Faxbot Demo/);
    const good = run(write('spawn-good.env', CLEAN));
    expect({ status: good.status, stderr: good.stderr }).toEqual({ status: 0, stderr: '' });
    expect(good.stdout).toContain('No problems found.');
  });
});

// `npm run dev`: the whole product on one machine with nothing installed but npm packages.
// Starts embedded Postgres (PGlite) + the WebSocket proxy, a SigV4-checking S3 server, applies
// migrations and runs the worker in wrangler dev. Every worker variable (worker/config.ts) set in
// the environment or in .dev.vars is passed on; DATABASE_URL / S3_* use real services instead.
// State lives in FAXBOT_DATA_DIR (default .data/) and survives restarts. Ctrl-C stops everything.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeEnvFile } from './lib/env-file.ts';
import { describeSettings, externalS3, readDevSettings, workerVars } from './stack/dev-settings.ts';
import { startLocalStack, type LocalStack } from './stack/local-stack.ts';
import { ROOT, startWorkerProcess, type WorkerProcess } from './stack/worker-process.ts';

const dataDir = path.resolve(ROOT, process.env.FAXBOT_DATA_DIR ?? '.data');
const port = Number(process.env.PORT ?? 8787);
mkdirSync(dataDir, { recursive: true, mode: 0o700 });

/** Secrets generated on first start and kept in the data directory, so keys and links survive restarts. */
function persistentSecret(name: string, given: string | undefined): string {
  if (given) return given;
  const file = path.join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const value = name === 'admin-key' ? `fbk_dev_${randomBytes(24).toString('base64url')}` : randomBytes(32).toString('base64url');
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return value;
}

// Worker variables: the environment over the dotenv file (FAXBOT_DEV_VARS, default .dev.vars)
// over the dev defaults below. wrangler itself never reads .dev.vars here: it gets --env-file.
const devVarsPath = path.resolve(ROOT, process.env.FAXBOT_DEV_VARS || '.dev.vars');
const devVarsLabel = path.relative(process.cwd(), devVarsPath) || devVarsPath;
let devVarsText: string | undefined;
try {
  devVarsText = readFileSync(devVarsPath, 'utf8');
} catch (err) {
  // A missing default file is normal; a file named explicitly, or one that cannot be read, is not.
  if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || process.env.FAXBOT_DEV_VARS) {
    console.error(`npm run dev: cannot read ${devVarsLabel} (${(err as NodeJS.ErrnoException).code ?? 'unknown error'})`);
    process.exit(2);
  }
}
const settings = readDevSettings(process.env, devVarsText);
const { s3, partial: partialS3 } = externalS3(settings.values);

let stack: LocalStack | undefined;
let worker: WorkerProcess | undefined;
let stopping = false;

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping Faxbot dev stack...');
  await worker?.stop().catch(() => {});
  await stack?.close().catch(() => {});
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  console.log(`Faxbot dev: data directory ${path.relative(process.cwd(), dataDir) || '.'}`);
  for (const line of describeSettings(settings, devVarsLabel, devVarsText !== undefined)) console.log(line);
  // The file's traps (a secret cut at #, an unterminated quote, ...): line numbers and names, never values.
  for (const p of devVarsText === undefined ? [] : analyzeEnvFile(devVarsText).problems) {
    console.log(`  ${devVarsLabel} line ${p.line}${p.variable ? ` ${p.variable}` : ''}: ${p.problem}`);
  }
  if (partialS3 && partialS3.length > 0) {
    console.log(`  note: only ${partialS3.join(', ')} of the four S3 variables set: using the local S3 server instead`);
  }
  stack = await startLocalStack({ dataDir, databaseUrl: settings.values.DATABASE_URL, s3 });
  console.log(`  database: ${stack.embeddedDatabase ? 'embedded PGlite' : 'DATABASE_URL'} (migrations applied)`);
  console.log(`  storage:  ${s3 ? 'S3_ENDPOINT' : `local S3 at ${stack.vars.S3_ENDPOINT}`}`);
  const adminKey = persistentSecret('admin-key', settings.values.API_KEY);
  const defaults = {
    ENVIRONMENT: 'development',
    API_KEY: adminKey,
    PDF_TOKEN_SECRET: persistentSecret('pdf-token-secret', settings.values.PDF_TOKEN_SECRET),
  };
  worker = await startWorkerProcess({
    port,
    varsFile: path.join(dataDir, 'worker.vars'),
    persistTo: path.join(dataDir, 'wrangler'),
    inheritOutput: true,
    vars: workerVars(defaults, settings, stack.vars),
  });
  worker.child.on('exit', (code) => {
    if (!stopping) {
      console.error(`wrangler dev exited (${code}); stopping.`);
      void shutdown(1);
    }
  });
  const url = worker.url;
  // A generated key is printed (it is also in the data directory); one the developer supplied is not.
  const apiKeyFrom = settings.source.API_KEY === 'file' ? devVarsLabel : 'the environment';
  const shownKey = settings.values.API_KEY ? '<API_KEY>' : adminKey;
  console.log(`
Faxbot API is running at ${url}
  Admin key (all scopes): ${settings.values.API_KEY ? `API_KEY from ${apiKeyFrom}` : adminKey}
  ${settings.values.API_KEY ? '(not shown)' : `(stored in ${path.relative(process.cwd(), path.join(dataDir, 'admin-key'))})`}

Try it:
  curl -s ${url}/health/ready
  curl -s -X POST ${url}/admin/api-keys -H "Authorization: Bearer ${shownKey}" \\
       -H 'content-type: application/json' \\
       -d '{"name":"ehr","owner":"cardiology","scopes":["fax:send","fax:read"]}'
  curl -s -X POST ${url}/fax -H "Authorization: Bearer <token from above>" \\
       -F to=+15555550123 -F file=@README.md

Press Ctrl-C to stop.`);
} catch (err) {
  console.error(`npm run dev failed: ${(err as Error).message}`);
  await shutdown(1);
}

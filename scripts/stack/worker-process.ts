// Runs the worker with `wrangler dev` (workerd) as a child process and waits until it answers.
// Used by `npm run dev` and by the API tests, so both exercise the same runtime and bindings.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDotenv } from './dotenv-format.ts';
import { forwardRedacted } from './redacted-output.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface WorkerProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export interface WorkerOptions {
  port: number;
  vars: Record<string, string>;
  /** File the vars are written to (mode 0600, see dotenv-format.ts); wrangler reads it with --env-file. */
  varsFile: string;
  persistTo?: string;
  /** Forward wrangler's output to this process's stdout/stderr. */
  inheritOutput?: boolean;
  onOutput?: (line: string) => void;
  /** A wrangler config other than the repository's wrangler.toml (the benchmark's ceiling worker). */
  config?: string;
  /** Picks a new port for a retry (the first attempt uses `port`). */
  portFactory?: () => Promise<number>;
}

/**
 * Starts the worker; when several start at once workerd can lose a race for an internal socket
 * ("Address already in use"), so a failed start is retried a few times.
 */
export async function startWorkerProcess(opts: WorkerOptions, attempts = 3): Promise<WorkerProcess> {
  for (let i = 1; ; i++) {
    try {
      return await startOnce(i === 1 ? opts : { ...opts, port: opts.portFactory ? await opts.portFactory() : opts.port });
    } catch (err) {
      if (i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 200 * i));
    }
  }
}

async function startOnce(opts: WorkerOptions): Promise<WorkerProcess> {
  writeFileSync(opts.varsFile, formatDotenv(opts.vars), { mode: 0o600 });
  const args = [
    path.join(ROOT, 'node_modules/wrangler/bin/wrangler.js'),
    'dev',
    '--ip', '127.0.0.1',
    '--port', String(opts.port),
    '--env-file', opts.varsFile,
    '--show-interactive-dev-session=false',
    '--log-level', process.env.WRANGLER_LOG_LEVEL ?? 'log',
    ...(opts.persistTo ? ['--persist-to', opts.persistTo] : []),
    ...(opts.config ? ['--config', opts.config] : []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', NO_D1_WARNING: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const [stream, out] of [[child.stdout!, process.stdout], [child.stderr!, process.stderr]] as const) {
    forwardRedacted(stream, { out: opts.inheritOutput ? out : undefined, onLine: opts.onOutput });
  }
  const url = `http://127.0.0.1:${opts.port}`;
  const stop = () => stopChild(child);
  try {
    await waitForHealth(url, child);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, child, stop };
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`wrangler dev did not become healthy at ${url} within ${timeoutMs} ms`);
}

export function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

// Runs the production bundle (`wrangler deploy --dry-run`) in plain workerd, the way a self-hoster
// would and the closest local stand-in for what Cloudflare runs and bills, as a child process
// with the same interface as worker-process.ts. Sockets bind to any free port; workerd reports the
// port on its control pipe (--control-fd), so there is no port race to retry. Plain workerd has no
// cron scheduler of its own: `crons: true` adds workerd's bundled cron worker, and
// `scheduled(cron)` runs the scheduled() handler once on demand. The JobScheduler's alarm runs the
// lifecycle's sweep either way (the every-minute cron is only its backstop).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { buildProductionBundle, bundleModules, readProject, workerdConfig, type BundleModule } from './workerd-config.ts';
import { stopChild } from './worker-process.ts';
import type { WranglerProject } from './wrangler-toml.ts';
import { forwardRedacted } from './redacted-output.ts';

export interface WorkerdProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** Runs the worker's scheduled() handler once for this cron expression; resolves to its outcome. */
  scheduled(cron: string): Promise<string>;
  /** CPU time workerd has used so far (user + system), in ms. */
  cpuMs(): number;
  stop(): Promise<void>;
}

export interface WorkerdOptions {
  /** Text bindings over wrangler.toml's [vars], like startWorkerProcess's `vars`. */
  vars: Record<string, string>;
  /** Scratch directory: the bundle, config.capnp (mode 0600: it holds the vars), Durable Objects. */
  dir: string;
  /** Port on 127.0.0.1; 0 or absent: any free port. */
  port?: number;
  /** A bundle built earlier (buildProductionBundle's directory), to skip the build. */
  bundleDir?: string;
  /** The worker's wrangler project (default: wrangler.toml), for a bundle of another config. */
  project?: WranglerProject;
  /** Durable Object storage in dir/do (default) or in memory. */
  storage?: 'disk' | 'memory';
  /** Run wrangler.toml's cron triggers in workerd (off by default: they add background CPU). */
  crons?: boolean;
  /** More `workerd serve` arguments, e.g. ['--inspector-addr=127.0.0.1:9229'] to profile. */
  extraArgs?: string[];
  inheritOutput?: boolean;
  onOutput?: (line: string) => void;
}

const require = createRequire(import.meta.url);

/** The workerd binary wrangler's own runtime uses (the `workerd` package's platform binary). */
export function workerdBinary(): string {
  return (require('workerd') as { default: string }).default;
}

export async function startWorkerdProcess(opts: WorkerdOptions): Promise<WorkerdProcess> {
  mkdirSync(opts.dir, { recursive: true });
  const modules: BundleModule[] = opts.bundleDir ? bundleModules(opts.bundleDir) : await buildProductionBundle(path.join(opts.dir, 'bundle'));
  const doDir = path.join(opts.dir, 'do');
  if (opts.storage !== 'memory') mkdirSync(doDir, { recursive: true });
  const configFile = path.join(opts.dir, 'config.capnp');
  const config = workerdConfig({
    project: opts.project ?? readProject(),
    modules,
    configDir: opts.dir,
    vars: opts.vars,
    listen: `127.0.0.1:${opts.port ?? 0}`,
    storage: opts.storage === 'memory' ? 'memory' : { directory: doDir },
    crons: !!opts.crons,
    triggerListen: '127.0.0.1:0',
  });
  writeFileSync(configFile, config, { mode: 0o600 });

  const child = spawn(workerdBinary(), ['serve', configFile, '--experimental', '--control-fd=3', ...(opts.extraArgs ?? [])], {
    cwd: opts.dir,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  for (const [stream, out] of [[child.stdout!, process.stdout], [child.stderr!, process.stderr]] as const) {
    forwardRedacted(stream, { out: opts.inheritOutput ? out : undefined, onLine: opts.onOutput });
  }
  const stop = () => stopChild(child);
  try {
    const ports = await listenPorts(child, ['http', 'trigger']);
    const url = `http://127.0.0.1:${ports.http}`;
    const triggerUrl = `http://127.0.0.1:${ports.trigger}`;
    await waitForHealth(url, child);
    const pid = child.pid!;
    return {
      url,
      pid,
      child,
      stop,
      cpuMs: () => processCpuMs(pid),
      async scheduled(cron: string) {
        const res = await fetch(`${triggerUrl}/scheduled?cron=${encodeURIComponent(cron)}`);
        if (!res.ok) throw new Error(`scheduled(${cron}) -> ${res.status} ${await res.text()}`);
        return ((await res.json()) as { outcome: string }).outcome;
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Reads workerd's `{"event":"listen","socket":...,"port":...}` control messages until every socket is up. */
function listenPorts(child: ChildProcess, sockets: string[], timeoutMs = 60_000): Promise<Record<string, number>> {
  const control = child.stdio[3] as Readable;
  return new Promise((resolve, reject) => {
    const ports: Record<string, number> = {};
    let buffered = '';
    const done = (err?: Error) => {
      clearTimeout(timer);
      control.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(ports);
    };
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const msg = JSON.parse(line) as { event?: string; socket?: string; port?: number };
        if (msg.event === 'listen' && msg.socket && msg.port) ports[msg.socket] = msg.port;
      }
      if (sockets.every((s) => ports[s])) done();
    };
    const onExit = (code: number | null) => done(new Error(`workerd exited with code ${code} before listening`));
    const timer = setTimeout(() => done(new Error(`workerd did not listen within ${timeoutMs} ms`)), timeoutMs);
    control.on('data', onData);
    child.on('exit', onExit);
  });
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`workerd exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return;
    } catch {
      // not answering yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`workerd did not become healthy at ${url} within ${timeoutMs} ms`);
}

let ticksPerSecond: number | undefined;

/**
 * CPU time a process has used (utime + stime from /proc/<pid>/stat), in ms: every thread, not its
 * children. Resolution is one clock tick (10 ms at the usual CLK_TCK of 100), so take differences
 * over many requests. Linux only.
 */
export function processCpuMs(pid: number): number {
  ticksPerSecond ??= clockTicks();
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces), from field 3 (state) on.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / ticksPerSecond;
}

function clockTicks(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

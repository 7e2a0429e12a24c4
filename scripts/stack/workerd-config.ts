// The production bundle (`wrangler deploy --dry-run --outdir`) and a Cap'n Proto config that runs
// it in plain workerd with wrangler.toml's bindings: vars as text bindings, every Durable Object
// class as a namespace (SQLite-backed per the migrations) on a local disk or in memory, the
// compatibility date and flags, and an `internet` service that may also reach private and
// loopback addresses (the dev WebSocket proxy, a local S3, an on-prem Postgres). Cron triggers run
// with workerd's bundled cron worker (`/workerd/cron.js`, experimental) when asked for.
//
// Run directly, it writes a self-hosting directory (see docs/deployment.md):
//   node scripts/stack/workerd-config.ts <outdir> [--env-file FILE] [--listen ADDR] [--no-crons]
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeEnvFile } from '../lib/env-file.ts';
import { readWranglerProject, type WranglerProject } from './wrangler-toml.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface BundleModule {
  name: string;
  file: string;
  type: 'esModule' | 'commonJsModule' | 'text' | 'data' | 'wasm' | 'json';
}

const TYPES: Record<string, BundleModule['type']> = {
  '.js': 'esModule', '.mjs': 'esModule', '.cjs': 'commonJsModule', '.wasm': 'wasm', '.bin': 'data',
  '.txt': 'text', '.html': 'text', '.sql': 'text', '.json': 'json',
};

/** Builds the bundle `wrangler deploy` would upload into `outdir`; resolves to its modules, main first. */
/** `wrangler deploy --dry-run` of wrangler.toml, or of another wrangler config (`configFile`). */
export async function buildProductionBundle(outdir: string, configFile?: string): Promise<BundleModule[]> {
  mkdirSync(outdir, { recursive: true });
  const args = [path.join(ROOT, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', '--dry-run', '--outdir', outdir, ...(configFile ? ['--config', configFile] : [])];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', WRANGLER_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`wrangler deploy --dry-run exited with ${code}:\n${output}`);
  return bundleModules(outdir);
}

/** The modules in a wrangler output directory (source maps and the README left out). */
export function bundleModules(outdir: string): BundleModule[] {
  const files = readdirSync(outdir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(outdir, path.join(d.parentPath, d.name)))
    .filter((f) => !f.endsWith('.map') && f !== 'README.md')
    .sort();
  const main = files.includes('index.js') ? 'index.js' : files.find((f) => /\.m?js$/.test(f));
  if (!main) throw new Error(`no JavaScript module in ${outdir}`);
  return [main, ...files.filter((f) => f !== main)].map((name) => {
    const type = TYPES[path.extname(name)];
    if (!type) throw new Error(`${name}: no workerd module type for this extension`);
    return { name, file: path.join(outdir, name), type };
  });
}

export interface WorkerdConfigOptions {
  project: WranglerProject;
  modules: BundleModule[];
  /** The config's directory: module paths are embedded relative to it. */
  configDir: string;
  /** Text bindings; they override wrangler.toml's [vars]. */
  vars: Record<string, string>;
  /** Address of the HTTP socket, e.g. 127.0.0.1:8787 (port 0: any free port). */
  listen: string;
  /** Durable Object storage: a directory, or 'memory' (lost when workerd exits). */
  storage: { directory: string } | 'memory';
  /** Run wrangler.toml's cron triggers (workerd's bundled cron worker; needs --experimental). */
  crons: boolean;
  /** Also listen here with a worker whose GET /scheduled?cron=... runs the scheduled() handler once. */
  triggerListen?: string;
}

export const WORKER_SERVICE = 'worker';

/** Cap'n Proto text for `workerd serve <file> --experimental`. */
export function workerdConfig(o: WorkerdConfigOptions): string {
  const p = o.project;
  const key = (className: string) => `${p.name}-${className}`;
  const storage = o.storage === 'memory' ? '(inMemory = void)' : '(localDisk = "do-storage")';
  const vars = { ...p.vars, ...o.vars };
  const bindings = [
    ...Object.entries(vars).map(([name, v]) => `(name = ${str(name)}, text = ${str(v)})`),
    ...p.durableObjects.map((d) => `(name = ${str(d.binding)}, durableObjectNamespace = ${str(d.className)})`),
  ];
  const classes = [...new Map(p.durableObjects.map((d) => [d.className, d])).values()];
  const namespaces = classes.map((d) => `(className = ${str(d.className)}, uniqueKey = ${str(key(d.className))}${d.sql ? ', enableSql = true' : ''})`);
  const modules = o.modules.map((m) => {
    const rel = path.relative(o.configDir, m.file).split(path.sep).join('/');
    return `(name = ${str(m.name)}, ${m.type} = embed ${str(rel)})`;
  });
  const services = [
    `(name = ${str(WORKER_SERVICE)}, worker = .worker)`,
    `(name = "internet", network = (allow = ["public", "private", "local"], tlsOptions = (trustBrowserCas = true)))`,
  ];
  if (o.storage !== 'memory') services.push(`(name = "do-storage", disk = (path = ${str(path.resolve(o.storage.directory))}, writable = true))`);
  const sockets = [`(name = "http", address = ${str(o.listen)}, http = (), service = ${str(WORKER_SERVICE)})`];
  const extra: string[] = [];
  const scheduledCall = ['service_binding_extra_handlers'];
  if (o.crons && p.crons.length > 0) {
    services.push('(name = "cron", worker = .cron)');
    extra.push(`const cron :Workerd.Worker = (
  modules = [(name = "cron.js", bundled = "/workerd/cron.js")],
  compatibilityDate = ${str(p.compatibilityDate)},
  compatibilityFlags = ${list(scheduledCall)},
  bindings = [
    (name = "SCHEDULE", durableObjectNamespace = "Schedule"),
    (name = "CRONS", json = ${str(JSON.stringify({ WORKER: p.crons }))}),
    (name = "WORKER", service = ${str(WORKER_SERVICE)}),
  ],
  durableObjectNamespaces = [(className = "Schedule", uniqueKey = ${str(key('cron-Schedule'))}, enableSql = true)],
  durableObjectStorage = ${storage},
);`);
  }
  if (o.triggerListen) {
    services.push('(name = "trigger", worker = .trigger)');
    sockets.push(`(name = "trigger", address = ${str(o.triggerListen)}, http = (), service = "trigger")`);
    extra.push(`const trigger :Workerd.Worker = (
  modules = [(name = "trigger.js", esModule = ${str(TRIGGER_SOURCE)})],
  compatibilityDate = ${str(p.compatibilityDate)},
  compatibilityFlags = ${list(scheduledCall)},
  bindings = [(name = "WORKER", service = ${str(WORKER_SERVICE)})],
);`);
  }
  return `# Generated by scripts/stack/workerd-config.ts from wrangler.toml; run with
#   workerd serve config.capnp --experimental
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    ${services.join(',\n    ')},
  ],
  sockets = [
    ${sockets.join(',\n    ')},
  ],
);

const worker :Workerd.Worker = (
  modules = [
    ${modules.join(',\n    ')},
  ],
  compatibilityDate = ${str(p.compatibilityDate)},
  compatibilityFlags = ${list(p.compatibilityFlags)},
  bindings = [
    ${bindings.join(',\n    ')},
  ],
${namespaces.length > 0 ? `  durableObjectNamespaces = [
    ${namespaces.join(',\n    ')},
  ],
  durableObjectStorage = ${storage},
` : ''});
${extra.map((e) => `\n${e}\n`).join('')}`;
}

/** Runs the worker's scheduled() handler once, as a cron trigger would, and answers its outcome. */
const TRIGGER_SOURCE = `export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname !== '/scheduled') return new Response('not found', { status: 404 });
    const result = await env.WORKER.scheduled({ cron: url.searchParams.get('cron') ?? '', scheduledTime: new Date() });
    return Response.json(result);
  },
};`;

/** A Cap'n Proto text literal (C-style escapes; UTF-8 passes through). */
function str(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}"`;
}

function list(items: string[]): string {
  return `[${items.map(str).join(', ')}]`;
}

export function readProject(): WranglerProject {
  return readWranglerProject(path.join(ROOT, 'wrangler.toml'));
}

async function main(argv: string[]) {
  const outdir = argv[0];
  if (!outdir || outdir.startsWith('-')) throw new Error('usage: node scripts/stack/workerd-config.ts <outdir> [--env-file FILE] [--listen ADDR] [--no-crons]');
  const opt = (name: string) => {
    const i = argv.indexOf(name);
    return i > 0 ? argv[i + 1] : undefined;
  };
  const dir = path.resolve(outdir);
  let vars: Record<string, string> = {};
  const envFile = opt('--env-file');
  if (envFile) {
    const parsed = analyzeEnvFile(readFileSync(envFile, 'utf8'));
    for (const p of parsed.problems) console.error(`${envFile}:${p.line}: ${p.variable ? `${p.variable}: ` : ''}${p.problem}`);
    vars = parsed.values;
  }
  rmSync(path.join(dir, 'bundle'), { recursive: true, force: true }); // no stale modules from an older build
  const modules = await buildProductionBundle(path.join(dir, 'bundle'));
  mkdirSync(path.join(dir, 'do'), { recursive: true });
  const file = path.join(dir, 'config.capnp');
  const text = workerdConfig({
    project: readProject(), modules, configDir: dir, vars, listen: opt('--listen') ?? '127.0.0.1:8787',
    storage: { directory: path.join(dir, 'do') }, crons: !argv.includes('--no-crons'),
  });
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600); // the config holds the secrets from the env file
  console.log(`wrote ${file}\nrun: node_modules/.bin/workerd serve ${path.relative(process.cwd(), file)} --experimental`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}

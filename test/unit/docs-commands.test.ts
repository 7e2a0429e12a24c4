// Every command and route the docs tell a reader to use exists: each `npm run X` is a script of the
// package it runs in, each file a command runs (`node scripts/…`, `-f Dockerfile.agent`) is in the
// repository, each `npx wrangler <command>` is a command this project's wrangler lists in its
// `--help`, each build argument is declared in the Dockerfile, and each route written as
// `METHOD /path` (prose) or `curl … $API/path` (shell) is registered by the app — or, for the agent's
// health server, answered by agent/health-server.ts. Provider APIs (providers.md) are not ours.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { registeredRoutes } from '../support/routes.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DOCS = ['README.md', ...readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const scripts = (pkg: string) => Object.keys(JSON.parse(read(pkg)).scripts ?? {});

/** Shell lines: fenced sh/bash blocks (continuation lines joined) and inline code spans that start with a command. */
function commands(file: string): string[] {
  const text = read(file);
  const out: string[] = [];
  let fence: string | null = null;
  let block: string[] = [];
  for (const raw of text.split('\n')) {
    const marker = /^\s*```(\w*)\s*$/.exec(raw);
    if (marker && fence === null) {
      fence = marker[1]!;
      block = [];
    } else if (marker) {
      if (['', 'sh', 'bash', 'shell', 'console'].includes(fence ?? '')) {
        out.push(...block.join('\n').replace(/\\\n\s*/g, ' ').split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l && !l.startsWith('#')));
      }
      fence = null;
    } else if (fence !== null) block.push(raw);
  }
  for (const m of text.matchAll(/`((?:npm|npx|node|curl|docker|podman) [^`]+)`/g)) out.push(m[1]!);
  return out;
}

const npmRuns = (line: string) => [...line.matchAll(/\bnpm run ([a-z][\w:-]*)/g)].map((m) => m[1]!);
const nodeFiles = (line: string) => [...line.matchAll(/\bnode ((?:scripts|agent|node_modules)\/[\w./-]+)/g), ...line.matchAll(/(?:^|\s)(node_modules\/\.bin\/[\w-]+)/g), ...line.matchAll(/-f (Dockerfile[\w.-]*)/g)].map((m) => m[1]!);
const wranglerCommands = (line: string) => [...line.matchAll(/\bnpx wrangler ((?:[a-z][\w-]*\s?)+)/g)].map((m) => m[1]!.trim().split(/\s+/).slice(0, 2).join(' '));

/** Routes named in prose (`GET /fax/:id`) and shell (`$API/fax/$JOB`, https://fax.example.org/health). */
function routes(file: string): Array<{ method: string | null; path: string }> {
  const text = read(file);
  const out: Array<{ method: string | null; path: string }> = [];
  for (const m of text.matchAll(/`(GET|POST|PUT|PATCH|DELETE|HEAD) (\/[^`\s?]*)/g)) out.push({ method: m[1]!, path: m[2]! });
  for (const line of commands(file)) {
    if (!line.includes('curl')) continue;
    for (const m of line.matchAll(/(?:\$API|https:\/\/fax\.example\.org|http:\/\/127\.0\.0\.1:8787)(\/[^\s"'?)]*)/g)) out.push({ method: null, path: m[1]! });
  }
  return out;
}

const APP_ROUTES = registeredRoutes();
const AGENT_ROUTES = ['/healthz', '/metrics'].filter((p) => read('agent/health-server.ts').includes(`'${p}'`));

function isRoute(method: string | null, docPath: string): boolean {
  const doc = docPath.replace(/\/$/, '').split('/');
  const matches = (routePath: string) => {
    const parts = routePath.split('/');
    return parts.length === doc.length && parts.every((p, i) => p.startsWith(':') || p === '*' || p === doc[i] || /^[:$<{]/.test(doc[i]!) || (p.length > 0 && doc[i] === p));
  };
  if (AGENT_ROUTES.includes(docPath)) return true;
  return APP_ROUTES.some((r) => (method === null || r.method === method || (method === 'HEAD' && r.method === 'GET')) && matches(r.path));
}

describe('commands in the docs', () => {
  const all = DOCS.flatMap((file) => commands(file).map((line) => ({ file, line })));

  it('finds the commands (the extraction works)', () => {
    expect(all.length).toBeGreaterThan(30);
    expect(all.some((c) => c.line.startsWith('npx wrangler secret put'))).toBe(true);
  });

  it('every `npm run X` is a script of the root package (or the agent package, for agent.md)', () => {
    const root = scripts('package.json');
    const agent = existsSync(path.join(ROOT, 'agent/package.json')) ? scripts('agent/package.json') : [];
    const missing = all.flatMap(({ file, line }) => npmRuns(line).filter((s) => !root.includes(s) && !(file === 'docs/agent.md' && agent.includes(s))).map((s) => `${file}: npm run ${s}`));
    expect(missing).toEqual([]);
  });

  it('every file a command runs exists', () => {
    const missing = all.flatMap(({ file, line }) => nodeFiles(line).filter((f) => !existsSync(path.join(ROOT, f))).map((f) => `${file}: ${f}`));
    expect(missing).toEqual([]);
  });

  it('every --flag passed to one of our scripts is one that script reads', () => {
    const unknown = all.flatMap(({ file, line }) => {
      const script = /\bnode ((?:scripts|agent)\/[\w./-]+\.ts)/.exec(line)?.[1];
      if (!script || !existsSync(path.join(ROOT, script))) return [];
      const source = read(script);
      return [...line.slice(line.indexOf(script)).matchAll(/\s(--[a-z][\w-]*)/g)].map((m) => m[1]!).filter((f) => !source.includes(`'${f}'`) && !source.includes(`"${f}"`)).map((f) => `${file}: ${script} ${f}`);
    });
    expect(unknown).toEqual([]);
  });

  it('every --build-arg is declared as an ARG of its Dockerfile', () => {
    const missing = all.flatMap(({ file, line }) => {
      const dockerfile = /-f (Dockerfile[\w.-]*)/.exec(line)?.[1];
      if (!dockerfile) return [];
      const declared = [...read(dockerfile).matchAll(/^ARG (\w+)/gm)].map((m) => m[1]!);
      return [...line.matchAll(/--build-arg (\w+)=/g)].map((m) => m[1]!).filter((a) => !declared.includes(a)).map((a) => `${file}: ${a}`);
    });
    expect(missing).toEqual([]);
  });

  it('every `npx wrangler <command>` is a command of the installed wrangler', { timeout: 120_000 }, () => {
    const used = [...new Set(all.flatMap(({ line }) => wranglerCommands(line)))];
    expect(used).toEqual(expect.arrayContaining(['secret put', 'deploy', 'deployments list', 'rollback']));
    const wrangler = path.join(ROOT, 'node_modules/wrangler/bin/wrangler.js');
    // `wrangler <group> --help` must succeed and, for `<group> <sub>`, list `wrangler <group> <sub>`
    // (wrangler answers an unknown subcommand's --help with the group's help and exit code 0).
    const help = (group: string) => {
      try {
        return execFileSync(process.execPath, [wrangler, group, '--help'], { encoding: 'utf8', stdio: 'pipe', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' }, timeout: 60_000 });
      } catch {
        return null;
      }
    };
    const refused = used.filter((cmd) => {
      const [group, sub] = cmd.split(' ');
      const text = help(group!);
      return text === null || (sub !== undefined && !new RegExp(`wrangler ${group} ${sub}\\b`).test(text));
    });
    expect(help('rollbak'), 'the check refuses an unknown command').toBeNull();
    expect(refused).toEqual([]);
  });
});

describe('routes in the docs', () => {
  it('every route the docs name (prose and curl) is served', () => {
    const files = DOCS.filter((f) => f !== 'docs/providers.md');
    const found = files.flatMap((file) => routes(file).map((r) => ({ file, ...r })));
    expect(found.filter((r) => r.file === 'docs/security.md').length, 'security.md names routes').toBeGreaterThan(5);
    const unknown = found.filter((r) => !isRoute(r.method, r.path)).map((r) => `${r.file}: ${r.method ?? 'curl'} ${r.path}`);
    expect([...new Set(unknown)]).toEqual([]);
  });

  it('the check itself refuses a route that does not exist', () => {
    expect(isRoute('GET', '/fax/:id')).toBe(true);
    expect(isRoute(null, '/fax/$JOB/pdf')).toBe(true);
    expect(isRoute('DELETE', '/fax/:id')).toBe(false);
    expect(isRoute('GET', '/faxes/:id')).toBe(false);
  });
});

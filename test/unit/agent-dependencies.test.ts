// The agent's own dependency set (agent/package.json + agent/package-lock.json, what Dockerfile.agent and the
// systemd install put in node_modules): it covers every package the agent loads, pins the versions the repository
// tests with (the root lockfile, whose node_modules the agent resolves in the repository), and holds nothing else.
import { readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AGENT_VERSION } from '../../agent/version.ts';
import { importGraph, REPO_ROOT } from '../support/import-graph.ts';

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  type?: string;
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}
interface LockEntry {
  version?: string;
  integrity?: string;
  dev?: boolean;
  optional?: boolean;
  peer?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}
interface Lockfile {
  name: string;
  lockfileVersion: number;
  packages: Record<string, LockEntry & Manifest>;
}

const readJson = <T>(file: string): T => JSON.parse(readFileSync(path.join(REPO_ROOT, file), 'utf8')) as T;
const rootPkg = readJson<Manifest>('package.json');
const rootLock = readJson<Lockfile>('package-lock.json');
const agentPkg = readJson<Manifest>('agent/package.json');
const agentLock = readJson<Lockfile>('agent/package-lock.json');
const agentDeps = agentPkg.dependencies ?? {};

/** npm's lookup of `name` required from the package at `from` (a lockfile key): nested node_modules first, then up. */
function resolveInLock(lock: Lockfile, from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const key = dir === '' ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
    if (key in lock.packages) return key;
    if (dir === '') return undefined;
    const up = dir.lastIndexOf('/node_modules/');
    dir = up === -1 ? '' : dir.slice(0, up);
  }
}

/** Lockfile keys a production install needs: dependencies, optional dependencies and required peers, transitively. */
function productionClosure(lock: Lockfile): { keys: Set<string>; unresolved: string[] } {
  const keys = new Set<string>();
  const unresolved: string[] = [];
  const visit = (key: string): void => {
    const entry = lock.packages[key]!;
    const required = { ...entry.dependencies, ...entry.optionalDependencies };
    for (const [peer] of Object.entries(entry.peerDependencies ?? {})) {
      if (!entry.peerDependenciesMeta?.[peer]?.optional) required[peer] = '*';
    }
    for (const name of Object.keys(required)) {
      const dep = resolveInLock(lock, key, name);
      if (dep === undefined) {
        if (!(name in (entry.optionalDependencies ?? {}))) unresolved.push(`${key || '(root)'} -> ${name}`);
        continue;
      }
      if (keys.has(dep)) continue;
      keys.add(dep);
      visit(dep);
    }
  };
  visit('');
  return { keys, unresolved };
}

describe('agent/package.json', () => {
  it('is the agent package: private, ESM like the root (agent/*.ts must load as modules), same engines and version', () => {
    expect(agentPkg).toMatchObject({ name: 'faxbot-agent', private: true, type: 'module' });
    expect(agentPkg.type).toBe(rootPkg.type);
    expect(agentPkg.engines?.node).toBe(rootPkg.engines?.node);
    expect(agentPkg.version).toBe(rootPkg.version);
    expect(agentPkg.version).toBe(AGENT_VERSION);
    expect(agentPkg.devDependencies ?? {}).toEqual({});
    expect(agentPkg.optionalDependencies ?? {}).toEqual({});
    expect(agentPkg.peerDependencies ?? {}).toEqual({});
  });

  it('declares exactly the packages the agent imports (agent/main.ts and the shared/ files it reaches)', () => {
    const { files, packages } = importGraph('agent/main.ts');
    const rel = [...files].map((f) => path.relative(REPO_ROOT, f));
    expect(rel.filter((f) => f.startsWith('shared/')).length).toBeGreaterThan(0);
    expect([...packages].sort()).toEqual(Object.keys(agentDeps).sort());
  });

  it("every file the agent loads is plain Node's to run: erasable TypeScript only (no parameter properties, enums, namespaces)", () => {
    // Node runs agent/main.ts by stripping types; anything it cannot strip fails at load, in production only.
    const { files } = importGraph('agent/main.ts');
    for (const file of files) {
      expect(() => stripTypeScriptTypes(readFileSync(file, 'utf8')), path.relative(REPO_ROOT, file)).not.toThrow();
    }
  });

  it('pins each dependency to the exact version installed by the root lockfile (no drift from what the tests run)', () => {
    for (const [name, range] of Object.entries(agentDeps)) {
      const installed = rootLock.packages[`node_modules/${name}`];
      expect(installed, `${name} in package-lock.json`).toBeDefined();
      expect(installed!.dev ?? false, `${name} is a production dependency of the root package too`).toBe(false);
      expect(rootPkg.dependencies?.[name], `${name} in the root dependencies`).toBeDefined();
      expect(range, `${name} is pinned exactly`).toMatch(/^\d+\.\d+\.\d+(?:-[\w.]+)?$/);
      expect(range, name).toBe(installed!.version);
    }
  });
});

describe('agent/package-lock.json', () => {
  it('is the lockfile of agent/package.json', () => {
    expect(agentLock.name).toBe(agentPkg.name);
    expect(agentLock.lockfileVersion).toBeGreaterThanOrEqual(3);
    const root = agentLock.packages['']!;
    expect(root.name).toBe(agentPkg.name);
    expect(root.version).toBe(agentPkg.version);
    expect(root.dependencies).toEqual(agentDeps);
    expect(root.devDependencies ?? {}).toEqual({});
  });

  it('lists nothing beyond what the dependencies need, nothing dev-only, every entry pinned with its integrity', () => {
    const { keys, unresolved } = productionClosure(agentLock);
    expect(unresolved).toEqual([]);
    const listed = Object.keys(agentLock.packages).filter((k) => k !== '');
    expect(listed.sort()).toEqual([...keys].sort());
    for (const key of listed) {
      const entry = agentLock.packages[key]!;
      expect(entry.dev ?? false, key).toBe(false);
      expect(entry.version, key).toMatch(/^\d+\.\d+\.\d+/);
      expect(entry.integrity, key).toMatch(/^sha512-/);
    }
  });

  it('has the same versions and tarballs as the root lockfile for every package both hold', () => {
    const byName = (key: string): string => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const rootByName = new Map<string, Array<{ version?: string; integrity?: string }>>();
    for (const [key, entry] of Object.entries(rootLock.packages)) {
      if (key === '') continue;
      const list = rootByName.get(byName(key)) ?? [];
      list.push({ version: entry.version, integrity: entry.integrity });
      rootByName.set(byName(key), list);
    }
    for (const [key, entry] of Object.entries(agentLock.packages)) {
      if (key === '') continue;
      const name = byName(key);
      const inRoot = rootByName.get(name) ?? [];
      expect(inRoot.map((e) => e.version), `${name} is installed at the root too`).toContain(entry.version);
      const same = inRoot.find((e) => e.version === entry.version);
      expect(same?.integrity, `${name}@${entry.version} integrity`).toBe(entry.integrity);
    }
  });
});

// What Dockerfile.agent puts in the image, checked statically (the image itself is built and run by
// .ci/agent-image.sh, which needs root, podman and a few minutes): a non-root user, the conversion tools,
// only agent/ and shared/ copied, `node agent/main.ts` as the command, and node_modules installed from the
// agent's own manifest and lockfile (`npm ci --omit=dev`: ws and zod, see agent-dependencies.test.ts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importGraph, REPO_ROOT } from '../support/import-graph.ts';

const dockerfile = readFileSync(path.join(REPO_ROOT, 'Dockerfile.agent'), 'utf8');
const dockerignore = readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8');
const agentPkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'agent/package.json'), 'utf8')) as { dependencies: Record<string, string> };

describe('Dockerfile.agent', () => {
  it('runs as a non-root user with the conversion tools installed', () => {
    expect(dockerfile).toMatch(/^USER faxbot$/m);
    expect(dockerfile).toMatch(/useradd --system --uid "\$\{FAXBOT_UID\}"/);
    expect(dockerfile).toMatch(/apt-get install[^\n]*ghostscript[^\n]*libtiff-tools/);
  });

  it('starts from node:22-bookworm-slim unless NODE_IMAGE names another base (CI builds one locally)', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:22-bookworm-slim$/m);
    const froms = [...dockerfile.matchAll(/^FROM\s+(.+)$/gm)].map((m) => m[1]!.trim());
    expect(froms).toEqual(['${NODE_IMAGE}']);
    expect(dockerfile.indexOf('ARG NODE_IMAGE')).toBeLessThan(dockerfile.indexOf('FROM '));
  });

  it('installs node_modules from agent/package.json and agent/package-lock.json only, copies agent/ and shared/, starts node agent/main.ts', () => {
    const copies = [...dockerfile.matchAll(/^COPY\s+(.+)$/gm)].map((m) => m[1]!.trim());
    expect(copies).toEqual(['agent/package.json agent/package-lock.json ./', 'agent ./agent', 'shared ./shared']);
    const installs = [...dockerfile.matchAll(/\bnpm (install|ci|i)\b[^\n]*/g)].map((m) => m[0]);
    expect(installs).toHaveLength(1);
    expect(installs[0]).toMatch(/^npm ci --omit=dev --ignore-scripts\b/);
    // node_modules lands in WORKDIR, above agent/ and shared/, so both resolve ws and zod from it.
    expect(dockerfile).toMatch(/^WORKDIR \/opt\/faxbot$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "agent\/main\.ts"\]$/m);
  });

  it('.dockerignore sends only agent/ and shared/ as the build context', () => {
    const lines = dockerignore.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
    expect(lines).toEqual(['*', '!agent/', '!shared/']);
  });

  it('everything the agent loads is in the image: its modules under agent/ or shared/, its packages in agent/package.json', () => {
    const { files, packages } = importGraph('agent/main.ts');
    const outside = [...files].map((f) => path.relative(REPO_ROOT, f)).filter((f) => !f.startsWith('agent/') && !f.startsWith('shared/'));
    expect(outside).toEqual([]);
    const missing = [...packages].filter((p) => !(p in agentPkg.dependencies));
    expect(missing).toEqual([]);
    expect(files.size).toBeGreaterThan(10);
  });
});

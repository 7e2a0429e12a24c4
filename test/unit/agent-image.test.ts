// What Dockerfile.agent puts in the image, checked without a container engine (none runs on these
// machines, and its base image comes from a registry they cannot reach): a non-root user, the
// conversion tools, only agent/ and shared/ copied, `node agent/main.ts` as the command — and every
// module the agent loads is inside those folders or a production dependency (`npm install --omit=dev`).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile.agent'), 'utf8');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

/** Local files reachable from `entry` by static imports, and the packages they import. */
function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec));
      else if (!spec.startsWith('node:')) packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  };
  visit(path.join(ROOT, entry));
  return { files, packages };
}

describe('Dockerfile.agent', () => {
  it('runs as a non-root user with the conversion tools installed', () => {
    expect(dockerfile).toMatch(/^USER faxbot$/m);
    expect(dockerfile).toMatch(/useradd --system --uid "\$\{FAXBOT_UID\}"/);
    expect(dockerfile).toMatch(/apt-get install[^\n]*ghostscript[^\n]*libtiff-tools/);
    expect(dockerfile).toMatch(/^FROM node:22/m);
  });

  it('copies only agent/ and shared/ (plus the manifests) and starts node agent/main.ts', () => {
    const copies = [...dockerfile.matchAll(/^COPY\s+(.+)$/gm)].map((m) => m[1]!.trim());
    expect(copies).toEqual(['package.json package-lock.json ./', 'agent ./agent', 'shared ./shared']);
    expect(dockerfile).toMatch(/^CMD \["node", "agent\/main\.ts"\]$/m);
    expect(dockerfile).toMatch(/npm install --omit=dev/);
  });

  it('everything the agent loads is in the image: its modules under agent/ or shared/, its packages production dependencies', () => {
    const { files, packages } = importGraph('agent/main.ts');
    const outside = [...files].map((f) => path.relative(ROOT, f)).filter((f) => !f.startsWith('agent/') && !f.startsWith('shared/'));
    expect(outside).toEqual([]);
    const missing = [...packages].filter((p) => !(p in pkg.dependencies));
    expect(missing).toEqual([]);
    expect(files.size).toBeGreaterThan(10);
  });
});

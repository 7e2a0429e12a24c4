// The static import graph of a TypeScript entry point, read from the sources (no resolver, no build):
// the local files it reaches and the packages (bare specifiers, `node:` builtins excluded) they import.
// Type-only imports are skipped: type stripping removes them, so they load nothing at run time.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

const IMPORT_RE = /^\s*(?:import|export)\s+(?!type\b)[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;

/** Package name of a bare specifier: `zod/v4` → `zod`, `@scope/pkg/sub` → `@scope/pkg`. */
export function packageName(spec: string): string {
  return spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
}

/** Local files reachable from `entry` (relative to the repository root) by static imports, and the packages they import. */
export function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec));
      else if (!spec.startsWith('node:')) packages.add(packageName(spec));
    }
  };
  visit(path.join(REPO_ROOT, entry));
  return { files, packages };
}

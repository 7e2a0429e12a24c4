// The worker's source as TypeScript syntax trees (parsed only, never type-checked, so it takes
// milliseconds), for unit tests that hold the docs to the code: S3 keys, error codes.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export interface Source {
  /** Path from the repository root, e.g. worker/routes/health.ts. */
  rel: string;
  sf: ts.SourceFile;
}

export function sources(dir = 'worker'): Source[] {
  const out: Source[] = [];
  const visit = (rel: string) => {
    for (const entry of readdirSync(path.join(ROOT, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) visit(child);
      else if (entry.name.endsWith('.ts')) {
        out.push({ rel: child, sf: ts.createSourceFile(child, readFileSync(path.join(ROOT, child), 'utf8'), ts.ScriptTarget.Latest, true) });
      }
    }
  };
  visit(dir);
  return out.sort((a, b) => a.rel.localeCompare(b.rel));
}

/** Every node under `node`, depth first. */
export function walk(node: ts.Node, fn: (n: ts.Node) => void): void {
  fn(node);
  ts.forEachChild(node, (child) => walk(child, fn));
}

/** `worker/x.ts:12`, for failure messages. */
export function at(src: Source, node: ts.Node): string {
  return `${src.rel}:${src.sf.getLineAndCharacterOfPosition(node.getStart(src.sf)).line + 1}`;
}

/** The module a local name was imported from in this file (the specifier as written), if any. */
export function importedFrom(src: Source, name: string): string | undefined {
  for (const stmt of src.sf.statements) {
    if (!ts.isImportDeclaration(stmt) || !ts.isStringLiteral(stmt.moduleSpecifier)) continue;
    const bindings = stmt.importClause?.namedBindings;
    if (bindings && ts.isNamedImports(bindings) && bindings.elements.some((e) => e.name.text === name)) return stmt.moduleSpecifier.text;
  }
  return undefined;
}

/** The initializer of a `const name = …` in this file (the first one), if any. */
export function constInitializer(src: Source, name: string): ts.Expression | undefined {
  let found: ts.Expression | undefined;
  walk(src.sf, (n) => {
    if (!found && ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === name && n.initializer) found = n.initializer;
  });
  return found;
}

/** Fenced code blocks of one language in a markdown text, in order. */
export function fencedBlocks(markdown: string, lang: string): string[] {
  return [...markdown.matchAll(new RegExp('^[ \\t]*```' + lang + '\\n([\\s\\S]*?)^[ \\t]*```', 'gm'))].map((m) => m[1]!);
}

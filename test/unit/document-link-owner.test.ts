// Signed document links are made in two places only: views/document-link.ts (API responses, gated on
// the caller's read scope) and agents/offer.ts (an offer to the agent that dials the job). A new route
// that signs links itself would bypass the scope check; this fails when one appears.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../worker');
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : full.endsWith('.ts') ? [full] : [];
  });

it('only views/document-link.ts and agents/offer.ts sign document links', () => {
  const signing = files(ROOT)
    .filter((f) => /\bdocumentUrl\(/.test(readFileSync(f, 'utf8')))
    .map((f) => path.relative(ROOT, f).split(path.sep).join('/'))
    .filter((f) => f !== 'lib/pdf-token.ts');
  expect(signing.sort()).toEqual(['agents/offer.ts', 'views/document-link.ts']);
});

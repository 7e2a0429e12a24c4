// Signed document links are made in two places only: views/document-link.ts (API responses, gated on
// the caller's read scope) and agents/offer.ts (an offer to the agent that dials the job). A new route
// that signs links itself would bypass the scope check; this fails when one appears.
import { expect, it } from 'vitest';
import { sources } from '../support/worker-source.ts';

it('only views/document-link.ts and agents/offer.ts sign document links', () => {
  const signing = sources()
    .filter((s) => /\bdocumentUrl\(/.test(s.sf.text))
    .map((s) => s.rel)
    .filter((f) => f !== 'worker/lib/pdf-token.ts');
  expect(signing).toEqual(['worker/agents/offer.ts', 'worker/views/document-link.ts']);
});

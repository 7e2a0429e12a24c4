// The configuration reference cannot drift from the schema: the "Worker" table of
// docs/configuration.md lists exactly the variables worker/config.ts reads (CONFIG_VARIABLES,
// which `npm run dev` passes on), and worker/env.ts declares each of them as a binding.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CONFIG_VARIABLES } from '../../worker/config.ts';

const read = (rel: string) => readFileSync(fileURLToPath(new URL(`../../${rel}`, import.meta.url)), 'utf8');

/** Variable names in the first column of the table under `## <heading>`. */
function tableVariables(markdown: string, heading: string): string[] {
  const section = markdown.split(`\n## ${heading}\n`)[1]?.split('\n## ')[0];
  if (section === undefined) throw new Error(`docs/configuration.md has no "## ${heading}" section`);
  return [...section.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1]!);
}

describe('docs/configuration.md', () => {
  const markdown = read('docs/configuration.md');

  it('documents every schema variable in the Worker table, and nothing else there', () => {
    const documented = tableVariables(markdown, 'Worker');
    expect([...documented].sort()).toEqual([...CONFIG_VARIABLES].sort());
    expect(new Set(documented).size).toBe(documented.length);
  });

  it('documents the npm run dev variables that are not worker variables', () => {
    const dev = tableVariables(markdown, '`npm run dev`');
    expect(dev).toEqual(expect.arrayContaining(['PORT', 'FAXBOT_DATA_DIR', 'FAXBOT_DEV_VARS']));
    expect(markdown).toContain('.dev.vars');
  });
});

describe('worker/env.ts', () => {
  it('declares every schema variable as an optional string binding', () => {
    const declared = [...read('worker/env.ts').matchAll(/^ {2}([A-Z][A-Z0-9_]*)\?: string;$/gm)].map((m) => m[1]!);
    expect([...declared].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });
});

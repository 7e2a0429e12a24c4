// MAX_FILE_SIZE_MB is capped at 20 (docs/configuration.md, "Upload size and memory": what
// concurrent uploads fit in a 128 MB isolate); above it the value is a named problem.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../worker/config.ts';

describe('MAX_FILE_SIZE_MB', () => {
  it('defaults to 10 MB and accepts up to 20', () => {
    expect(parseConfig({}).maxFileSizeBytes).toBe(10 * 1024 * 1024);
    expect(parseConfig({ MAX_FILE_SIZE_MB: '20' }).maxFileSizeBytes).toBe(20 * 1024 * 1024);
    expect(parseConfig({ MAX_FILE_SIZE_MB: '20' }).problems.filter((p) => p.startsWith('MAX_FILE_SIZE_MB'))).toEqual([]);
  });

  it('refuses more than 20 MB as a named problem', () => {
    const config = parseConfig({ MAX_FILE_SIZE_MB: '21' });
    expect(config.problems).toContainEqual(expect.stringMatching(/^MAX_FILE_SIZE_MB: /));
  });
});

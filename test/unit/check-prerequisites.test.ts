// `npm test` checks its system prerequisites first and names each missing one in a line.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { missingPrerequisites } from '../../scripts/check-prerequisites.ts';

describe('scripts/check-prerequisites.ts (npm pretest)', () => {
  it('passes on this machine (CI installs Ghostscript, libtiff-tools, curl and jq)', () => {
    expect(missingPrerequisites().map((m) => m.command)).toEqual([]);
  });

  it('names every missing program with its install command, one line each, and exits 1', async () => {
    const failed = await promisify(execFile)(process.execPath, ['scripts/check-prerequisites.ts'], {
      env: { ...process.env, PATH: '/nonexistent' },
    }).catch((e) => e);
    expect(failed.code).toBe(1);
    const lines = String(failed.stderr).trim().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^missing gs: Ghostscript .*`sudo apt-get install ghostscript`/);
    expect(lines[1]).toMatch(/^missing tiff2pdf: .*libtiff-tools/);
    expect(lines[4]).toMatch(/^missing chromium: Chromium .*`sudo apt-get install chromium`/);
    expect(lines[5]).toBe('npm test needs them: sudo apt-get install ghostscript libtiff-tools curl jq chromium');
  });
});

// "One owner of job state": only worker/lifecycle/ may write fax_jobs.status. This reads every
// worker source file and fails on an UPDATE of fax_jobs (drizzle or raw SQL) that sets `status`
// anywhere else, so a new code path cannot quietly become a second writer.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../worker');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : full.endsWith('.ts') ? [full] : [];
  });
}

/** The text of each `.update(faxJobs)...` chain up to its `.where(`, and each raw `update fax_jobs ... where`. */
function statusWrites(source: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/\.update\(faxJobs\)([\s\S]*?)\.where\(/g)) if (/\bstatus\s*[:,}]/.test(m[1]!)) found.push(m[0].slice(0, 120));
  for (const m of source.matchAll(/update\s+\$\{faxJobs\}|update\s+"?fax_jobs"?/gi)) {
    const rest = source.slice(m.index!, m.index! + 600);
    const setClause = /\bset\b([\s\S]*?)\bwhere\b/i.exec(rest)?.[1] ?? '';
    if (/(^|[\s,])status\s*=/.test(setClause)) found.push(rest.slice(0, 120));
  }
  return found;
}

describe('job status has one owner', () => {
  it('no module outside worker/lifecycle/ writes fax_jobs.status', () => {
    const offenders = files(ROOT)
      .filter((f) => !f.includes(`${path.sep}lifecycle${path.sep}`))
      .flatMap((f) => statusWrites(readFileSync(f, 'utf8')).map((w) => `${path.relative(ROOT, f)}: ${w}`));
    expect(offenders).toEqual([]);
  });

  it('the check itself finds a status write', () => {
    expect(statusWrites("db.update(faxJobs).set({ status: 'failed' }).where(x)")).toHaveLength(1);
    expect(statusWrites('sql`update ${faxJobs} set status = ${s} where id = 1`')).toHaveLength(1);
    expect(statusWrites("db.update(faxJobs).set({ offerState: null }).where(x)")).toHaveLength(0);
  });

  it('the lifecycle does write status (the scan would notice a move)', () => {
    const lifecycle = files(path.join(ROOT, 'lifecycle')).map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(statusWrites(lifecycle).length).toBeGreaterThan(0);
  });
});

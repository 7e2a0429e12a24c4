// Audit details are redacted centrally: `redactDetails` masks every string at any depth, and every
// module that inserts into audit_events (drizzle or raw SQL) passes its details through it, so a
// caller that forgets to mask a number (an agent's reject reason, a provider's failure text) cannot
// put it in the audit table. The API suite's teardown also scans the table itself (global-setup.ts).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { redactDetails } from '../../shared/redact.ts';

const ROOT = path.resolve(import.meta.dirname, '../../worker');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : full.endsWith('.ts') ? [full] : [];
  });
}

const AUDIT_INSERT = /\.insert\(auditEvents\)|insert into \$\{auditEvents\}/;

describe('audit details redaction', () => {
  it('masks numbers and tokens in every string, at any depth, and keeps other values', () => {
    const token = `fbk_ab12cd34ef56gh78_${'x'.repeat(43)}`;
    const out = redactDetails({
      reason: 'busy: +1 555 765 4399',
      nested: { path: '/admin/inbound-numbers/%2B15557654399', list: ['call 555-765-4399', 7], key: token },
      bytes: 10485760,
      ok: true,
      none: null,
    });
    expect(out).toEqual({
      reason: 'busy: ***4399',
      nested: { path: '/admin/inbound-numbers/***4399', list: ['call ***4399', 7], key: 'fbk_ab12…[redacted]' },
      bytes: 10485760,
      ok: true,
      none: null,
    });
  });

  it('every insert into audit_events goes through redactDetails', () => {
    const inserting = files(ROOT).filter((f) => AUDIT_INSERT.test(readFileSync(f, 'utf8')));
    expect(inserting.length, 'the check found no audit insert at all').toBeGreaterThanOrEqual(4);
    const offenders = inserting.filter((f) => !readFileSync(f, 'utf8').includes('redactDetails(')).map((f) => path.relative(ROOT, f));
    expect(offenders).toEqual([]);
  });
});

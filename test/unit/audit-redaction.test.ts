// Audit details are redacted centrally: `redactDetails` masks every string at any depth, and every
// module that inserts into audit_events (drizzle or raw SQL) passes its details through it, so a
// caller that forgets to mask a number (an agent's reject reason, a provider's failure text) cannot
// put it in the audit table. The API suite's teardown also scans the table itself (global-setup.ts).
import { describe, expect, it } from 'vitest';
import { redactDetails } from '../../shared/redact.ts';
import { sources } from '../support/worker-source.ts';

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
    const inserting = sources().filter((s) => AUDIT_INSERT.test(s.sf.text));
    expect(inserting.length, 'the check found no audit insert at all').toBeGreaterThanOrEqual(4);
    const offenders = inserting.filter((s) => !s.sf.text.includes('redactDetails(')).map((s) => s.rel);
    expect(offenders).toEqual([]);
  });
});

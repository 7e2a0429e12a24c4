// Unit tests for shared/redact.ts: tokens, Bearer credentials and phone numbers never survive into logs.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { redact } from '../../shared/redact.ts';

const ID = 'ab12cd34ef56gh78';
const SECRET = 'Zx9_-Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LzXcVbNm123'; // 43 base64url chars
const API_TOKEN = `fbk_${ID}_${SECRET}`;
const AGENT_TOKEN = `fba_${ID}_${SECRET}`;

describe('redact', () => {
  it('masks Faxbot API and agent tokens, keeping the first 4 id characters', () => {
    expect(SECRET).toHaveLength(43);
    expect(redact(`token=${API_TOKEN} ok`)).toBe('token=fbk_ab12…[redacted] ok');
    expect(redact(`{"agent":"${AGENT_TOKEN}"}`)).toBe('{"agent":"fba_ab12…[redacted]"}');
    expect(redact(`${API_TOKEN},${AGENT_TOKEN}`)).toBe('fbk_ab12…[redacted],fba_ab12…[redacted]');
  });

  it('masks truncated or malformed tokens too', () => {
    const out = redact(`bad key fbk_${ID}_${SECRET.slice(0, 10)}`);
    expect(out).toBe('bad key fbk_ab12…[redacted]');
    expect(redact('see fbk_<id>_<secret> in the docs')).toBe('see fbk_<id>_<secret> in the docs');
  });

  it('masks a signed link token in a logged URL', () => {
    expect(redact('[wrangler:info] GET /fax/fax_x/pdf?expires=1800000000&token=AbCdEf-_0123456789abcdef 200 OK')).toBe(
      '[wrangler:info] GET /fax/fax_x/pdf?expires=***0000&token=[redacted] 200 OK',
    );
    expect(redact('url "https://x/inbound/i/pdf?token=abc&x=1"')).toBe('url "https://x/inbound/i/pdf?token=[redacted]&x=1"');
  });

  it('masks Bearer credentials in header-like text', () => {
    expect(redact('Authorization: Bearer eyJhbGciOi.eyJzdWIi.sig-_+/==')).toBe('Authorization: Bearer [redacted]');
    expect(redact(`authorization: bearer ${API_TOKEN}`)).toBe('authorization: Bearer [redacted]');
    expect(redact('{"authorization":"Bearer abc123"}')).toBe('{"authorization":"Bearer [redacted]"}');
  });

  it.each([
    ['fax to +15551234567 failed', 'fax to ***4567 failed'],
    ['fax to +1 (555) 123-4567 failed', 'fax to ***4567 failed'],
    ['call (555) 123-4567', 'call ***4567'],
    ['to=555.123.4567&from=0044 20 7946 0958', 'to=***4567&from=***0958'],
    ['mrn 12345678901234567890', 'mrn ***7890'],
    ['1234567', '***4567'],
    ['to +1 - 555 - 765 - 4399 now', 'to ***4399 now'],
    ['path /admin/inbound-numbers/%2B1%20555%20765%204399', 'path /admin/inbound-numbers/***4399'],
    ['path /fax?to=%2B15557654399', 'path /fax?to=***4399'],
    ['to=+1+555+765+4399', 'to=***4399'],
  ])('masks phone-like digit runs: %j', (input, expected) => {
    expect(redact(input)).toBe(expected);
  });

  it('leaves short numbers, UUIDs and ISO dates alone', () => {
    const line = 'job 550e8400-e29b-41d4-a716-446655440000 at 2024-01-15T10:20:30.123Z took 123456 ms, 3 pages';
    expect(redact(line)).toBe(line);
    expect(redact('id 12345678-1234-1234-1234-123456789012')).toBe('id 12345678-1234-1234-1234-123456789012');
  });

  it('does not let a UUID-like prefix hide a phone number', () => {
    expect(redact('x abcdefab-abcd-abcd-abcd-abcdefab5551234567')).not.toContain('555123');
  });

  it('handles empty and non-string input', () => {
    expect(redact('')).toBe('');
    expect(redact(undefined as unknown as string)).toBe('');
  });

  describe('properties', () => {
    const e164 = fc.stringMatching(/^\+[1-9]\d{6,14}$/);
    const token = fc
      .tuple(
        fc.constantFrom('fbk', 'fba'),
        fc.stringMatching(/^[a-z0-9]{16}$/),
        fc.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      )
      .map(([p, id, secret]) => ({ value: `${p}_${id}_${secret}`, secret }));

    it('never leaks an embedded phone number', () => {
      fc.assert(
        fc.property(fc.string(), e164, fc.string(), (before, number, after) => {
          expect(redact(`${before} ${number} ${after}`)).not.toContain(number.slice(1));
        }),
        { numRuns: 1000 },
      );
    });

    it('never leaks an embedded token secret', () => {
      fc.assert(
        fc.property(fc.string(), token, fc.string(), (before, t, after) => {
          expect(redact(`${before} ${t.value} ${after}`)).not.toContain(t.secret);
        }),
        { numRuns: 1000 },
      );
    });

    it('is idempotent and never throws', () => {
      const text = fc.oneof(fc.string(), fc.stringMatching(/^[0-9 +()\-.a-f]{0,40}$/));
      fc.assert(
        fc.property(text, (s) => {
          const once = redact(s);
          expect(redact(once)).toBe(once);
        }),
        { numRuns: 2000 },
      );
    });
  });
});

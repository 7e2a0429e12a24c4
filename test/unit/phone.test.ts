// Unit tests for shared/phone.ts: E.164 normalisation and masking.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { maskNumber, normalizeNumber } from '../../shared/phone.ts';
import { parseConfig } from '../../worker/config.ts';

const E164 = /^\+[1-9]\d{6,14}$/;
const ok = (e164: string) => ({ ok: true, e164 });

describe('normalizeNumber', () => {
  it.each([
    ['+1 (555) 123-4567', '1', '+15551234567'],
    ['+1.555.123.4567', '44', '+15551234567'],
    ['555-123-4567', '1', '+15551234567'],
    ['(555) 123 4567', '1', '+15551234567'],
    ['1 555 123 4567', '1', '+15551234567'],
    ['0044 20 7946 0958', '1', '+442079460958'],
    ['020 7946 0958', '44', '+442079460958'],
    ['20 7946 0958', '44', '+442079460958'],
    ['030\u00A01234\u00A05678', '49', '+493012345678'],
    ['\t+49 30 1234-5678 ', '1', '+493012345678'],
    ['+44 (0)20', '1', null],
    ['5551234567', '+1', '+15551234567'],
    // The review's cases: the bracketed trunk 0 is dropped, the numbering plan is checked.
    ['+44 (0) 20 7946 0958', '1', '+442079460958'],
    ['+44(0)2079460958', '1', '+442079460958'],
    ['+49 (0)30 1234 5678', '1', '+493012345678'],
    ['+1 555 555 0199', '1', '+15555550199'], // fictional 555-01xx: possible, not valid — kept
    ['+882 1234 5678', '1', '+88212345678'], // non-geographic (international networks)
    ['+998 90 123 4567', '1', '+998901234567'],
  ])('%j (default %s) -> %s', (input, cc, expected) => {
    const result = normalizeNumber(input, cc);
    if (expected === null) expect(result.ok).toBe(false);
    else expect(result).toEqual(ok(expected));
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['+', 'no digits'],
    ['---', 'empty'],
    ['555-CALL-NOW', 'letters'],
    ['+1 555 123 4567 ext 9', 'letters'],
    ['+1555+1234567', "'+'"],
    ['++15551234567', "'+'"],
    ['+1 555 123#4567', 'invalid characters'],
    ['+0123456789', 'country code'],
    ['+123456', 'too short'],
    ['+1 555 0100', 'too short for +1'],
    ['+4300000', 'too short for +43'], // the trunk 0 dropped leaves fewer than E.164's 7 digits (a CI counterexample)
    ['+999 123456789', 'unknown country calling code'],
    ['+28 1234 5678', 'unknown country calling code'], // 28x is unassigned
    ['+44 20 7946 0958 123', 'too long for +44'],
    ['+1 555 555 01234', 'too long for +1'],
    ['+1234567890123456', 'too long'],
    ['0012', 'too short'],
    ['00', 'empty'],
    ['555 1234', 'too short for +1 (North America)'], // 7-digit local number under country code 1
    ['2555 123 4567', 'too long for +1 (North America)'], // 11 digits not starting with 1
  ])('%j -> rejected (%s)', (input, reasonPart) => {
    const result = normalizeNumber(input, '1');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reasonPart);
  });

  it('rejects national numbers when the default country code is unusable', () => {
    expect(normalizeNumber('5551234567', '').ok).toBe(false);
    expect(normalizeNumber('5551234567', 'abc').ok).toBe(false);
    expect(normalizeNumber('5551234567', '0').ok).toBe(false);
    // International input does not need the default
    expect(normalizeNumber('+15551234567', '')).toEqual(ok('+15551234567'));
  });

  it('strips only one trunk zero for non-NANP codes', () => {
    expect(normalizeNumber('00441234567890', '44')).toEqual(ok('+441234567890'));
    expect(normalizeNumber('0 1234 567890', '44')).toEqual(ok('+441234567890'));
  });

  it('never throws, even on non-string input', () => {
    expect(normalizeNumber(undefined as unknown as string, '1').ok).toBe(false);
    expect(normalizeNumber(12345678 as unknown as string, '1').ok).toBe(false);
    expect(normalizeNumber('5551234567', null as unknown as string).ok).toBe(false);
  });

  describe('properties', () => {
    const phoneish = fc.stringMatching(/^[+0-9 ()\-.]{0,24}$/);
    const anyInput = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), phoneish);
    const countryCode = fc.oneof(fc.constantFrom('1', '44', '49', '353', ''), fc.string({ maxLength: 4 }));

    it('never throws and ok output is always strict E.164', () => {
      fc.assert(
        fc.property(anyInput, countryCode, (input, cc) => {
          const result = normalizeNumber(input, cc);
          if (result.ok) expect(result.e164).toMatch(E164);
          else expect(result.reason.length).toBeGreaterThan(0);
        }),
        { numRuns: 2000 },
      );
    });

    it('is idempotent: an ok output normalises to itself', () => {
      fc.assert(
        fc.property(anyInput, countryCode, countryCode, (input, cc, cc2) => {
          const result = normalizeNumber(input, cc);
          if (result.ok) expect(normalizeNumber(result.e164, cc2)).toEqual(result);
        }),
        { numRuns: 2000 },
      );
    });

    it('keeps every E.164 number it accepts (less a trunk 0), and says why it refuses the rest', () => {
      const e164 = fc.stringMatching(/^\+[1-9]\d{6,14}$/);
      fc.assert(
        fc.property(e164, (n) => {
          const result = normalizeNumber(n, '1');
          // A trunk 0 written after the country code (+44 020 …) is dropped; nothing else changes.
          const dropped = [2, 3, 4].filter((i) => n[i] === '0').map((i) => n.slice(0, i) + n.slice(i + 1));
          if (result.ok) expect([n, ...dropped]).toContain(result.e164);
          else expect(result.reason).toMatch(/too short|too long|possible|country calling code|prefix/);
        }),
      );
    });

    it('accepts the fictional North American 555-01xx numbers for every area code', () => {
      const npa = fc.integer({ min: 200, max: 999 });
      const line = fc.integer({ min: 100, max: 199 });
      fc.assert(
        fc.property(npa, line, (a, l) => {
          const n = `+1${a}5550${l}`;
          expect(normalizeNumber(n, '1')).toEqual(ok(n));
        }),
      );
    });
  });
});

describe('maskNumber', () => {
  it.each([
    ['+15551234567', '***4567'],
    ['+1 (555) 123-4567', '***4567'],
    ['+442079460958', '***0958'],
    ['1234567', '***4567'],
    ['123456', '***'],
    ['4567', '***'],
    ['', '***'],
    ['no digits', '***'],
  ])('%j -> %s', (input, expected) => {
    expect(maskNumber(input)).toBe(expected);
  });
});

describe('DEFAULT_COUNTRY_CODE against the numbering plan', () => {
  it('refuses a calling code no country has, and accepts real ones', () => {
    expect(parseConfig({ DEFAULT_COUNTRY_CODE: '999' }).problems).toContain(
      'DEFAULT_COUNTRY_CODE: a country calling code that exists (1, 44, 49, …)',
    );
    for (const cc of ['1', '+44', '49', '353']) {
      expect(parseConfig({ DEFAULT_COUNTRY_CODE: cc }).problems.some((p) => p.startsWith('DEFAULT_COUNTRY_CODE'))).toBe(false);
    }
  });
});

// Generated-input tests of the API key token parser and the credential header parser.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseApiKeyToken } from '../../worker/auth/api-key-token.ts';
import { MALFORMED, presentedKey } from '../../worker/middleware/authenticate.ts';

describe('parseApiKeyToken', () => {
  it('accepts exactly the issued format', () => {
    const token = `fbk_${'a1'.repeat(8)}_${'Ab-_'.repeat(10)}xyz`;
    expect(parseApiKeyToken(token)).toEqual({ id: 'a1'.repeat(8), secret: `${'Ab-_'.repeat(10)}xyz` });
    expect(parseApiKeyToken(token + 'x')).toBeNull();
    expect(parseApiKeyToken(token.toUpperCase())).toBeNull();
    expect(parseApiKeyToken(` ${token}`)).toBeNull();
  });

  it('never throws and only accepts well-formed tokens', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        const parsed = parseApiKeyToken(s);
        if (parsed) expect(s).toBe(`fbk_${parsed.id}_${parsed.secret}`);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('presentedKey', () => {
  it('reads Bearer and X-API-Key; other schemes and several tokens are malformed credentials', () => {
    const h = (headers: Record<string, string>) => (name: string) => headers[name];
    expect(presentedKey(h({ authorization: 'Bearer abc' }))).toBe('abc');
    expect(presentedKey(h({ authorization: 'bearer   abc  ' }))).toBe('abc');
    expect(presentedKey(h({ 'x-api-key': ' abc ' }))).toBe('abc');
    expect(presentedKey(h({ authorization: 'Basic abc' }))).toBe(MALFORMED);
    expect(presentedKey(h({ authorization: 'Bearer a b' }))).toBe(MALFORMED);
    expect(presentedKey(h({ 'x-api-key': 'a b' }))).toBe(MALFORMED);
    expect(presentedKey(h({}))).toBeUndefined();
  });

  it('never throws on arbitrary header values', () => {
    fc.assert(
      fc.property(fc.option(fc.string({ maxLength: 300 })), fc.option(fc.string({ maxLength: 300 })), (auth, key) => {
        const v = presentedKey((n) => (n === 'authorization' ? (auth ?? undefined) : (key ?? undefined)));
        if (typeof v === 'string') expect(v).not.toMatch(/\s/);
      }),
      { numRuns: 5000 },
    );
  });
});

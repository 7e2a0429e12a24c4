// Unit tests for scripts/stack/dotenv-format.ts: the vars file given to `wrangler dev --env-file`
// must read back exactly through dotenv.parse (the parser wrangler bundles) plus dotenv-expand's
// `$` handling, which is replicated here (wrangler bundles it; it is not a dependency of ours).
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import dotenv from 'dotenv';
import { formatDotenv, quoteDotenvValue } from '../../scripts/stack/dotenv-format.ts';

/** What wrangler's loadDotEnv does after dotenv.parse: expand unescaped $NAME / ${...}, then turn `\$` into `$`. */
function readLikeWrangler(text: string): Record<string, string> {
  const parsed = dotenv.parse(text);
  for (const [key, value] of Object.entries(parsed)) {
    // Nothing may be left for dotenv-expand to expand (its pattern, from dotenv-expand 12).
    expect(value, key).not.toMatch(/(?<!\\)\$\{[^{}]+\}|(?<!\\)\$[A-Za-z_][A-Za-z0-9_]*/);
    parsed[key] = value.replace(/\\\$/g, '$');
  }
  return parsed;
}

describe('formatDotenv', () => {
  it('round-trips the values JSON.stringify got wrong (quotes, backslashes, tabs) and $, #, newlines', () => {
    const vars = {
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      NOTE: 'tab\there "q" \\ \u0001',
      API_KEY: `k$HOME#x"y'z \\$e`,
      DOLLAR_BRACES: '${PATH}-and-$1',
      PEM: '-----BEGIN-----\nabc\n-----END-----',
      CRLF: 'a\r\nb',
      HASHES: '#starts # and has ##',
      EMPTY: '',
      SPACES: '  padded  ',
      LITERAL_ESCAPES: 'a\\nb\\tc',
      ENDS_WITH_BACKSLASH: 'C:\\dir\\',
      AFTER: '#next value starts with a hash',
    };
    expect(readLikeWrangler(formatDotenv(vars))).toEqual(vars);
  });

  it('picks a quote the value does not contain', () => {
    expect(quoteDotenvValue('A', 'plain')).toBe("'plain'");
    expect(quoteDotenvValue('A', "it's")).toBe('`it\'s`');
    expect(quoteDotenvValue('A', "it's `x`")).toBe('"it\'s `x`"');
    expect(quoteDotenvValue('A', 'cost $5')).toBe("'cost \\$5'");
  });

  it('refuses what dotenv cannot hold, naming the key and never the value', () => {
    expect(() => quoteDotenvValue('ALL_QUOTES', `'"\`secret-value`)).toThrow(/^ALL_QUOTES: /);
    expect(() => quoteDotenvValue('BAD KEY', 'x')).toThrow(/^BAD KEY: /);
    expect(() => formatDotenv({ A: 'x\\', B: 'y\\' })).toThrow(/^A, B: only one value may end with a backslash/);
    try {
      quoteDotenvValue('ALL_QUOTES', `'"\`secret-value`);
    } catch (err) {
      expect(String(err)).not.toContain('secret-value');
    }
  });

  it('round-trips arbitrary values (property)', () => {
    const unit = fc.constantFrom('a', 'Z', '0', ' ', '\t', '\n', '\r', '#', '=', '$', '{', '}', '\\', '"', "'", '`', 'n', 'r', 'é', ':');
    const value = fc.string({ unit, maxLength: 20 });
    const key = fc.constantFrom('A', 'B_1', 'CORS_ORIGINS', 'x.y', 'k-2');
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 5 }), (vars) => {
        let text: string;
        try {
          text = formatDotenv(vars);
        } catch {
          return true; // the refused cases are covered above
        }
        expect(readLikeWrangler(text)).toEqual(vars);
      }),
      { numRuns: 500 },
    );
  });
});

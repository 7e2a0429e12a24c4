// Unit tests for worker/security/env-file.ts: dotenv parsing and the classic traps, reported by
// line number and name only. Property tests: never throws, and problems never echo a value.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { analyzeEnvFile } from '../../worker/security/env-file.ts';

const problemsOf = (text: string) => analyzeEnvFile(text).problems;

describe('analyzeEnvFile: parsing', () => {
  it('reads the usual forms', () => {
    const text = [
      '# Faxbot settings',
      '',
      'ENVIRONMENT=production',
      'export PAGE_SIZE=a4',
      "FAX_HEADER='Faxbot Demo'",
      'GREETING="line one\\nline two \\"quoted\\" \\\\ done"',
      'RAW=\'no \\n escapes here\'',
      'MAX_FILE_SIZE_MB=10 # inline comment',
      'HASH_IN_QUOTES="a # b"',
      'DATABASE_URL=postgres://u:p@h/db?sslmode=require&x=1',
      'EMPTY=',
      '   INDENTED=yes',
      'TZ=America/New_York',
    ].join('\n');
    const { values, problems } = analyzeEnvFile(text);
    expect(problems).toEqual([]);
    expect(values).toEqual({
      ENVIRONMENT: 'production',
      PAGE_SIZE: 'a4',
      FAX_HEADER: 'Faxbot Demo',
      GREETING: 'line one\nline two "quoted" \\ done',
      RAW: 'no \\n escapes here',
      MAX_FILE_SIZE_MB: '10',
      HASH_IN_QUOTES: 'a # b',
      DATABASE_URL: 'postgres://u:p@h/db?sslmode=require&x=1',
      EMPTY: '',
      INDENTED: 'yes',
      TZ: 'America/New_York',
    });
  });

  it('accepts Windows CRLF line endings and a byte-order mark without complaint', () => {
    const { values, problems } = analyzeEnvFile('\uFEFFA=1\r\nB="two words"\r\n# note\r\n\r\nC=3\r\n');
    expect(problems).toEqual([]);
    expect(values).toEqual({ A: '1', B: 'two words', C: '3' });
  });

  it('reads files written with JSON-quoted values (as npm run dev writes them)', () => {
    const vars = { S3_ENDPOINT: 'http://127.0.0.1:9000', NOTE: 'tab\there "q" \\ \u0001' };
    const text = Object.entries(vars).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n');
    expect(analyzeEnvFile(text)).toEqual({ values: vars, problems: [] });
  });
});

describe('analyzeEnvFile: traps', () => {
  it('flags an unquoted value with spaces and a duplicated key (the done-means case)', () => {
    const text = 'API_KEY=k1-alpha\nFAX_HEADER=Faxbot Demo\nPAGE_SIZE=a4\nAPI_KEY=k2-omega\n';
    const { values, problems } = analyzeEnvFile(text);
    expect(problems).toEqual([
      { line: 2, variable: 'FAX_HEADER', problem: expect.stringMatching(/not quoted: quote it/) },
      { line: 4, variable: 'API_KEY', problem: 'defined more than once (lines 1 and 4); the last one (line 4) silently wins' },
    ]);
    expect(values.API_KEY).toBe('k2-omega');
    expect(JSON.stringify(problems)).not.toMatch(/k1-alpha|k2-omega|Faxbot|Demo/);
  });

  it('lists every line of a key defined three times', () => {
    expect(problemsOf('A=1\nA=2\n\nA=3')).toEqual([
      { line: 4, variable: 'A', problem: 'defined more than once (lines 1, 2 and 4); the last one (line 4) silently wins' },
    ]);
  });

  it.each(['EST', 'PST', 'GMT+5', 'US/Eastern', 'EST5EDT', 'America', 'Mars/Olympus', 'utc'])('flags TZ=%s', (tz) => {
    expect(problemsOf(`TZ=${tz}`)).toEqual([{ line: 1, variable: 'TZ', problem: expect.stringMatching(/Area\/City/) }]);
  });

  it.each(['UTC', 'Etc/UTC', 'America/New_York', 'America/Argentina/Buenos_Aires', 'Europe/Berlin', 'Etc/GMT+5', '"Asia/Kolkata"'])(
    'accepts TZ=%s',
    (tz) => {
      expect(problemsOf(`TZ=${tz}`)).toEqual([]);
    },
  );

  it.each<[string, RegExp, string?]>([
    ['just some words', /^not a KEY=VALUE line$/],
    ['export ONLY_NAME', /^not a KEY=VALUE line$/],
    ['=value-without-name', /variable name is missing/],
    ['1ST=x', /invalid variable name/],
    ['MY-KEY=x', /invalid variable name/],
    ['MY KEY=x', /invalid variable name/],
    ['PAGE_SIZE=a4   ', /trailing whitespace/, 'PAGE_SIZE'],
    ['PAGE_SIZE=a4\t', /trailing whitespace/, 'PAGE_SIZE'],
    ['QUOTED="never closed', /unterminated quote/, 'QUOTED'],
    ["SINGLE='never closed", /unterminated quote/, 'SINGLE'],
    ['ESCAPED="ends with escaped quote\\"', /unterminated quote/, 'ESCAPED'],
    ['AFTER="quoted" trailing', /after the closing quote/, 'AFTER'],
    ['SPACED = value', /spaces around the equals sign/, 'SPACED'],
    ['HASH=#not-a-comment', /starts with a hash sign/, 'HASH'],
  ])('flags %j', (line, problem, variable) => {
    const problems = problemsOf(`OK=1\n${line}\nALSO_OK=2`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toEqual({ line: 2, ...(variable ? { variable } : {}), problem: expect.stringMatching(problem) });
  });

  it('keeps parsing after a bad line and does not record an unterminated value', () => {
    const { values, problems } = analyzeEnvFile('A="open\nB=2');
    expect(values).toEqual({ B: '2' });
    expect(problems.map((p) => p.line)).toEqual([1]);
  });

  it('does not treat whitespace before an inline comment as trailing whitespace', () => {
    expect(problemsOf('PAGE_SIZE=a4    # letter or a4')).toEqual([]);
  });

  it('never puts values in problems', () => {
    const secret = 'S3cr3t-Value Xyz';
    const { problems } = analyzeEnvFile(`API_KEY=${secret}\nAPI_KEY=${secret}  \nX="${secret}\nTZ=${secret}`);
    expect(problems.length).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(problems)).not.toMatch(/S3cr3t|Value Xyz/);
  });
});

describe('analyzeEnvFile: properties', () => {
  // Dotenv-shaped noise plus arbitrary ASCII and (short, as it is slow to generate) arbitrary Unicode.
  const envChar = fc.constantFrom('=', '"', "'", '`', '#', '\\', '\n', '\r', ' ', '\t', 'export ', 'TZ', 'A_1', '\uFEFF', 'é', '\uD800');
  const anyText = fc.oneof(
    fc.string({ unit: envChar, maxLength: 200 }),
    fc.string({ unit: 'binary-ascii', maxLength: 300 }),
    fc.string({ unit: 'binary', maxLength: 30 }),
  );
  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const { problems } = analyzeEnvFile(text);
        return problems.every((p) => p.line >= 1 && typeof p.problem === 'string');
      }),
      { numRuns: 300 },
    );
  });

  // Values use characters that never form a 6-character run in any message (no ASCII letters but
  // `n`, no digits), so any overlap with a problem would be a real leak. Keys are upper-case ASCII.
  const valueChar = fc.constantFrom('%', '~', '^', '@', '!', 'é', 'λ', 'ß', '€', ' ', '\t', '"', "'", '`', '#', '=', '\\', 'n', '/');
  const value = fc.string({ unit: valueChar, maxLength: 24 });
  const assignment = fc
    .record({
      prefix: fc.constantFrom('', 'export ', '  '),
      key: fc.constantFrom('API_KEY', 'FAX_HEADER', 'TZ', 'PDF_TOKEN_SECRET', 'A', 'PAGE_SIZE'),
      sep: fc.constantFrom('=', ' = ', '= '),
      quote: fc.constantFrom('', '"', "'", 'open"'),
      value,
      suffix: fc.constantFrom('', '  ', ' # note', '\r'),
    })
    .map(({ prefix, key, sep, quote, value, suffix }) => {
      const quoted = quote === '' ? value : quote === 'open"' ? `"${value}` : `${quote}${value}${quote}`;
      return { line: `${prefix}${key}${sep}${quoted}${suffix}`, value };
    });
  const garbage = value.map((v) => ({ line: v, value: v }));
  const file = fc.array(fc.oneof({ arbitrary: assignment, weight: 4 }, { arbitrary: garbage, weight: 1 }), { maxLength: 12 });

  it('never includes a 6-character piece of any value in a problem', () => {
    fc.assert(
      fc.property(file, (lines) => {
        const { problems } = analyzeEnvFile(lines.map((l) => l.line).join('\n'));
        const reported = problems.map((p) => `${p.variable ?? ''} ${p.problem}`).join('\n');
        for (const { value } of lines) {
          for (let i = 0; i + 6 <= value.length; i++) expect(reported).not.toContain(value.slice(i, i + 6));
        }
      }),
      { numRuns: 300 },
    );
  });
});

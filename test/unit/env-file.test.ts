// Unit tests for scripts/lib/env-file.ts: values exactly as dotenv (wrangler's parser) reads them,
// and the traps on top, reported by line number and name only. Property tests: the positions
// agree with dotenv.parse, it never throws, and problems never echo a value.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import dotenv from 'dotenv';
import { analyzeEnvFile, dotenvAssignments } from '../../scripts/lib/env-file.ts';
import { formatDotenv } from '../../scripts/stack/dotenv-format.ts';

const problemsOf = (text: string) => analyzeEnvFile(text).problems;

describe('analyzeEnvFile: parsing', () => {
  it('reads the usual forms', () => {
    const text = [
      '# Faxbot settings',
      '',
      'ENVIRONMENT=production',
      'export PAGE_SIZE=a4',
      "FAX_HEADER='Faxbot Demo'",
      'GREETING="line one\\nline two"',
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
      GREETING: 'line one\nline two',
      RAW: 'no \\n escapes here',
      MAX_FILE_SIZE_MB: '10',
      HASH_IN_QUOTES: 'a # b',
      DATABASE_URL: 'postgres://u:p@h/db?sslmode=require&x=1',
      EMPTY: '',
      INDENTED: 'yes',
      TZ: 'America/New_York',
    });
    expect(values).toEqual(dotenv.parse(text));
  });

  it('accepts Windows CRLF line endings and a byte-order mark without complaint', () => {
    const { values, problems } = analyzeEnvFile('\uFEFFA=1\r\nB="two words"\r\n# note\r\n\r\nC=3\r\n');
    expect(problems).toEqual([]);
    expect(values).toEqual({ A: '1', B: 'two words', C: '3' });
  });

  it('reads the vars file npm run dev writes for wrangler (scripts/stack/dotenv-format.ts)', () => {
    const vars = { S3_ENDPOINT: 'http://127.0.0.1:9000', NOTE: 'tab\there "q" \\ \u0001', HASH: 'abc#def' };
    expect(analyzeEnvFile(formatDotenv(vars))).toEqual({ values: vars, problems: [] });
  });

  // Where dotenv (and so wrangler) differs from what a reader might expect: the values are
  // dotenv's, and each case is reported so the developer sees what happened to the value.
  it.each<[string, string, string, RegExp]>([
    ['SECRET=abc#def0123456789abcdef0123456789', 'abc', 'SECRET', /cut at a hash sign/],
    ['TAB="a\\tb"', 'a\\tb', 'TAB', /backslash escape other than/],
    ['QUOTE="say \\"hi\\""', 'say \\"hi\\"', 'QUOTE', /backslash escape other than/],
    ['YAML: value', 'value', 'YAML', /YAML style/],
    ['PEM="-----BEGIN-----\nabc\n-----END-----"', '-----BEGIN-----\nabc\n-----END-----', 'PEM', /multi-line value/],
    ['OPEN="never closed', '"never closed', 'OPEN', /unterminated quote/],
    ['AFTER="quoted" trailing', '"quoted" trailing', 'AFTER', /after the closing quote/],
    ["NEXT=\n'on the next line'", 'on the next line', 'NEXT', /value is on the next line/],
    ['HASH=#not-a-comment', '', 'HASH', /starts with a hash sign/],
    ['1ST=x', 'x', '1ST', /not portable/],
    ['MY-KEY=x', 'x', 'MY-KEY', /not portable/],
  ])('%j: dotenv reads %j', (text, value, variable, problem) => {
    const { values, problems } = analyzeEnvFile(text);
    expect(values).toEqual({ [variable]: value });
    expect(values).toEqual(dotenv.parse(text));
    expect(problems).toEqual([{ line: 1, variable, problem: expect.stringMatching(problem) }]);
  });

  it('a multi-line value covers its lines: none of them is reported as a stray line', () => {
    expect(problemsOf('A=1\nPEM="line one\nnot = an assignment\nend"\nB=2').map((p) => [p.line, p.variable])).toEqual([[2, 'PEM']]);
  });
});

describe('analyzeEnvFile: traps', () => {
  it('flags an unquoted value with spaces and a duplicated key (the done-means case)', () => {
    const text = 'API_KEY=k1-alpha\nFAX_HEADER=Faxbot Demo\nPAGE_SIZE=a4\nAPI_KEY=k2-omega\n';
    const { values, problems } = analyzeEnvFile(text);
    expect(problems).toEqual([
      { line: 2, variable: 'FAX_HEADER', problem: expect.stringMatching(/spaces but is not quoted/) },
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
    ['just some words', /^not a KEY=VALUE line: dotenv ignores it$/],
    ['export ONLY_NAME', /^not a KEY=VALUE line: dotenv ignores it$/],
    ['=value-without-name', /variable name is missing/],
    ['MY KEY=x', /invalid variable name: dotenv ignores the line/],
    ['1ST=x', /variable name is not portable/, '1ST'],
    ['MY-KEY=x', /variable name is not portable/, 'MY-KEY'],
    ['PAGE_SIZE=a4   ', /trailing whitespace/, 'PAGE_SIZE'],
    ['PAGE_SIZE=a4\t', /trailing whitespace/, 'PAGE_SIZE'],
    ['QUOTED="never closed', /unterminated quote/, 'QUOTED'],
    ["SINGLE='never closed", /unterminated quote/, 'SINGLE'],
    ['ESCAPED="ends with escaped quote\\"', /backslash escape/, 'ESCAPED'],
    ['AFTER="quoted" trailing', /after the closing quote/, 'AFTER'],
    ['SPACED = value', /spaces around the equals sign/, 'SPACED'],
    ['HASH=#not-a-comment', /starts with a hash sign/, 'HASH'],
    ['CUT=abc#def', /cut at a hash sign/, 'CUT'],
    ['YAML: value', /YAML style/, 'YAML'],
  ])('flags %j', (line, problem, variable) => {
    const problems = problemsOf(`OK=1\n${line}\nALSO_OK=2`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toEqual({ line: 2, ...(variable ? { variable } : {}), problem: expect.stringMatching(problem) });
  });

  it('keeps parsing after an unterminated quote, whose value keeps the quote (as in dotenv)', () => {
    const { values, problems } = analyzeEnvFile('A="open\nB=2');
    expect(values).toEqual({ A: '"open', B: '2' });
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
  const envChar = fc.constantFrom('=', '"', "'", '`', '#', '\\', '\n', '\r', ' ', '\t', ': ', 'export ', 'TZ', 'A_1', 'b.c-d', '\uFEFF', 'é', '\uD800');
  const anyText = fc.oneof(
    fc.string({ unit: envChar, maxLength: 200 }),
    fc.string({ unit: 'binary-ascii', maxLength: 300 }),
    fc.string({ unit: 'binary', maxLength: 30 }),
  );
  it('finds the assignments dotenv.parse reads, with the same values (property)', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const last: Record<string, string> = {};
        for (const a of dotenvAssignments(text)) last[a.key] = a.value;
        expect(last).toEqual(dotenv.parse(text));
        expect(analyzeEnvFile(text).values).toEqual(dotenv.parse(text));
      }),
      { numRuns: 500 },
    );
  });

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

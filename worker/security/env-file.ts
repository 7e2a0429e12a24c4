// Parses dotenv files (.env, .dev.vars) and reports the classic traps: unquoted spaces, duplicate
// keys, ambiguous TZ values, unterminated quotes. Problems carry line numbers and names, never values.

export interface EnvFileProblem {
  /** 1-based line number. */
  line: number;
  /** The variable, when the line has a valid name. */
  variable?: string;
  problem: string;
}

export interface EnvFileAnalysis {
  /** Parsed values; for a duplicated key the last definition, as most loaders do. */
  values: Record<string, string>;
  problems: EnvFileProblem[];
}

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TZ_AREA_CITY = /^(Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc)(\/[A-Za-z0-9_+-]+)+$/;
const QUOTES = new Set(['"', "'", '`']);
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

const MSG = {
  notAssignment: 'not a KEY=VALUE line',
  missingName: 'not a KEY=VALUE line: the variable name is missing',
  badName: 'invalid variable name: use letters, digits and underscores, not starting with a digit',
  spacedEquals: 'spaces around the equals sign: shell scripts and docker --env-file do not accept them',
  unterminated:
    'unterminated quote: the value is not closed on this line (multi-line values are not portable; use \\n escapes inside double quotes)',
  afterQuote: 'unexpected text after the closing quote',
  unquotedSpaces: 'value contains spaces but is not quoted: quote it (many loaders keep only the first word or fail)',
  trailingSpace: 'trailing whitespace after an unquoted value: some loaders keep it as part of the value; remove it or quote the value',
  leadingHash: 'value starts with a hash sign: some loaders read it as a comment, so quote the value',
  timezone: 'not an IANA Area/City time zone (e.g. America/New_York, Europe/Berlin or UTC); abbreviations and offsets are ambiguous or ignored',
};

export function analyzeEnvFile(text: string): EnvFileAnalysis {
  const values = new Map<string, string>();
  const linesByKey = new Map<string, number[]>();
  const problems: EnvFileProblem[] = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');

  lines.forEach((rawLine, index) => {
    const line = index + 1;
    const source = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const trimmed = source.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;

    const body = source.trimStart().replace(/^export\s+(?=\S)/, '');
    const eq = body.indexOf('=');
    if (eq < 0) {
      problems.push({ line, problem: MSG.notAssignment });
      return;
    }
    const rawKey = body.slice(0, eq);
    const key = rawKey.trim();
    if (key === '') {
      problems.push({ line, problem: MSG.missingName });
      return;
    }
    if (!KEY.test(key)) {
      problems.push({ line, problem: MSG.badName });
      return;
    }
    const afterEq = body.slice(eq + 1);
    const valueText = afterEq.trimStart();
    const report = (problem: string) => problems.push({ line, variable: key, problem });

    if (rawKey !== rawKey.trimEnd() || (valueText !== '' && valueText.length !== afterEq.length)) report(MSG.spacedEquals);

    const parsed = parseValue(valueText, afterEq, report);
    if (parsed === undefined) return;
    if (key === 'TZ' && parsed !== '' && parsed !== 'UTC' && !TZ_AREA_CITY.test(parsed)) report(MSG.timezone);
    values.set(key, parsed);
    const seen = linesByKey.get(key) ?? [];
    seen.push(line);
    linesByKey.set(key, seen);
  });

  for (const [key, seen] of linesByKey) {
    if (seen.length < 2) continue;
    const last = seen[seen.length - 1]!;
    problems.push({
      line: last,
      variable: key,
      problem: `defined more than once (lines ${joinLines(seen)}); the last one (line ${last}) silently wins`,
    });
  }
  problems.sort((a, b) => a.line - b.line);
  return { values: Object.fromEntries(values), problems };
}

/** The value of one assignment, or undefined when it cannot be read (unterminated quote). */
function parseValue(valueText: string, afterEq: string, report: (problem: string) => void): string | undefined {
  const quote = valueText[0];
  if (quote !== undefined && QUOTES.has(quote)) {
    const close = closingQuote(valueText, quote);
    if (close < 0) {
      report(MSG.unterminated);
      return undefined;
    }
    const inner = valueText.slice(1, close);
    if (!/^\s*(#.*)?$/.test(valueText.slice(close + 1))) report(MSG.afterQuote);
    return quote === '"' ? unescapeDouble(inner) : inner;
  }
  if (valueText.startsWith('#')) {
    report(MSG.leadingHash);
    return valueText.trim();
  }
  const comment = valueText.search(/\s#/);
  const value = (comment >= 0 ? valueText.slice(0, comment) : valueText).trim();
  if (comment < 0 && afterEq !== '' && /\s$/.test(afterEq)) report(MSG.trailingSpace);
  if (/\s/.test(value)) report(MSG.unquotedSpaces);
  return value;
}

function closingQuote(valueText: string, quote: string): number {
  if (quote !== '"') return valueText.indexOf(quote, 1);
  for (let i = 1; i < valueText.length; i++) {
    if (valueText[i] === '\\') i++;
    else if (valueText[i] === '"') return i;
  }
  return -1;
}

function unescapeDouble(inner: string): string {
  return inner.replace(/\\(u[0-9a-fA-F]{4}|[\s\S])/g, (whole, esc: string) => {
    if (esc.length === 5) return String.fromCharCode(parseInt(esc.slice(1), 16));
    return ESCAPES[esc] ?? whole;
  });
}

function joinLines(lines: readonly number[]): string {
  return lines.length <= 2 ? lines.join(' and ') : `${lines.slice(0, -1).join(', ')} and ${lines.at(-1)}`;
}

// Reads dotenv files (.env, .dev.vars) exactly as wrangler does - with dotenv.parse, the parser
// wrangler uses - and reports the traps on top: values dotenv cuts at `#`, unterminated quotes,
// escapes dotenv keeps as typed, duplicate keys, non-portable syntax, ambiguous TZ values.
// Problems carry line numbers and names, never values.
import dotenv from 'dotenv';

export interface EnvFileProblem {
  /** 1-based line number. */
  line: number;
  /** The variable, when dotenv reads a name from the line. */
  variable?: string;
  problem: string;
}

export interface EnvFileAnalysis {
  /** dotenv.parse's result: for a duplicated key the last definition. */
  values: Record<string, string>;
  problems: EnvFileProblem[];
}

/** One assignment as dotenv reads it. */
export interface DotenvAssignment {
  key: string;
  /** Line of the key (1-based). */
  line: number;
  /** The value dotenv gives this assignment. */
  value: string;
  /** The value text as written (quotes included), trimmed; '' when there is none. */
  raw: string;
  /** Whitespace after the value text on its line (dotenv drops it). */
  trailing: string;
  /** What separates key and value, e.g. `=`, ` = `, `: `. */
  separator: string;
  /** Line the value text starts on. */
  valueLine: number;
  /** The rest of the key's (or value's last) line after the value text: '' or an inline comment. */
  rest: string;
}

/**
 * dotenv's own line pattern (LINE in dotenv's lib/main.js, the same in dotenv 16.3.1 that wrangler
 * bundles and in the dotenv we depend on), plus the `d` flag for positions. Only used to find where
 * each assignment is; values come from dotenv.parse, and a test holds the two to the same result.
 */
const LINE = /(?:^|^)\s*(?:export\s+)?([\w.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)/dgm;

const PORTABLE_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TZ_AREA_CITY = /^(Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc)(\/[A-Za-z0-9_+-]+)+$/;
const QUOTES = new Set(['"', "'", '`']);

const MSG = {
  notAssignment: 'not a KEY=VALUE line: dotenv ignores it',
  missingName: 'not a KEY=VALUE line: the variable name is missing, so dotenv ignores it',
  ignoredName: 'invalid variable name: dotenv ignores the line; use letters, digits and underscores, not starting with a digit',
  badName: 'variable name is not portable: dotenv reads it, but shells and docker --env-file need letters, digits and underscores, not starting with a digit',
  colon: 'KEY: value (YAML style): dotenv reads it, but shells and docker --env-file do not; write KEY=value',
  spacedEquals: 'spaces around the equals sign: shell scripts and docker --env-file do not accept them',
  nextLine: 'the value is on the next line: dotenv reads that line as this variable\'s value; put the value after the equals sign',
  unterminated:
    'unterminated quote: dotenv reads the rest of the line, opening quote included, as the value (a closing quote on a later line does not count)',
  afterQuote: 'text after the closing quote: dotenv then reads the whole line, quotes included, as the value',
  multiline: 'multi-line value: dotenv and wrangler read it, but shells and docker --env-file do not; use \\n escapes inside double quotes',
  escapes: 'backslash escape other than \\n or \\r inside double quotes: dotenv keeps it as typed (\\t stays a backslash and a t, \\" keeps its backslash)',
  unquotedSpaces: 'value contains spaces but is not quoted: dotenv reads it, but shells keep only the first word or fail; quote it',
  trailingSpace: 'trailing whitespace after an unquoted value: dotenv drops it, other loaders keep it as part of the value; remove it or quote the value',
  leadingHash: 'value starts with a hash sign: dotenv reads it as a comment, so the value is empty; quote the value',
  hashCut: 'unquoted value is cut at a hash sign: dotenv reads the rest of the line as a comment; quote the value if the # belongs to it',
  timezone: 'not an IANA Area/City time zone (e.g. America/New_York, Europe/Berlin or UTC); abbreviations and offsets are ambiguous or ignored',
};

/** Every assignment dotenv reads from `text`, in order (duplicates included). */
export function dotenvAssignments(text: string): DotenvAssignment[] {
  const src = text.replace(/\r\n?/g, '\n'); // as dotenv.parse does
  const lineOf = lineIndex(src);
  const out: DotenvAssignment[] = [];
  for (const m of src.matchAll(LINE)) {
    const key = m[1]!;
    const [keyStart, keyEnd] = m.indices![1]!;
    const valueText = m[2] ?? '';
    // Without value text the separator is what dotenv's pattern takes lazily: `\s*=` or `:` plus one space.
    const valueAt = m.indices![2]?.[0] ?? keyEnd + /^(?:\s*=|:\s)/.exec(src.slice(keyEnd))![0].length;
    const lead = valueText.length - valueText.trimStart().length;
    const raw = valueText.trim();
    const afterValue = valueAt + valueText.length;
    out.push({
      key,
      line: lineOf(keyStart),
      value: dotenv.parse(m[0])[key] ?? '',
      raw,
      trailing: raw === '' ? valueText.replace(/\n/g, '') : valueText.slice(valueText.trimEnd().length),
      separator: src.slice(keyEnd, valueAt + lead),
      valueLine: lineOf(valueAt + lead),
      rest: src.slice(afterValue, m.index + m[0].length).split('\n')[0]!.trimStart(),
    });
  }
  return out;
}

export function analyzeEnvFile(text: string): EnvFileAnalysis {
  const values = dotenv.parse(text);
  const src = text.replace(/\r\n?/g, '\n');
  const lines = src.split('\n');
  const problems: EnvFileProblem[] = [];
  const covered = new Set<number>();
  const linesByKey = new Map<string, number[]>();
  const lineOf = lineIndex(src);

  for (const m of src.matchAll(LINE)) {
    const first = lineOf(m.index + (m[0].length - m[0].trimStart().length));
    const last = lineOf(m.index + m[0].trimEnd().length - 1);
    for (let l = first; l <= last; l++) covered.add(l);
  }
  lines.forEach((source, index) => {
    const trimmed = source.trim();
    if (trimmed === '' || trimmed.startsWith('#') || covered.has(index + 1)) return;
    const problem = trimmed.startsWith('=') ? MSG.missingName : /^[^=]+=/.test(trimmed) ? MSG.ignoredName : MSG.notAssignment;
    problems.push({ line: index + 1, problem });
  });

  for (const a of dotenvAssignments(text)) {
    const report = (problem: string) => problems.push({ line: a.line, variable: a.key, problem });
    if (!PORTABLE_KEY.test(a.key)) report(MSG.badName);
    if (!a.separator.includes('=')) report(MSG.colon);
    else if (/^\s+=|=[ \t]+$/.test(a.separator) && a.raw !== '') report(MSG.spacedEquals);
    if (a.valueLine !== a.line && a.raw !== '') report(MSG.nextLine);
    for (const problem of valueProblems(a)) report(problem);
    if (a.key === 'TZ' && a.value !== '' && a.value !== 'UTC' && !TZ_AREA_CITY.test(a.value)) report(MSG.timezone);
    linesByKey.set(a.key, [...(linesByKey.get(a.key) ?? []), a.line]);
  }

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
  return { values, problems };
}

/** Traps in how the value is written. */
function valueProblems(a: DotenvAssignment): string[] {
  const quote = a.raw[0];
  if (quote !== undefined && QUOTES.has(quote)) {
    const q = quote === '"' ? '"' : quote;
    const closed = new RegExp(`^${q}(?:\\\\${q}|[^${q}])*${q}$`).test(a.raw);
    if (!closed) {
      const closesOnLine = new RegExp(`^${q}(?:\\\\${q}|[^${q}\\n])*${q}`).test(a.raw);
      return [closesOnLine ? MSG.afterQuote : MSG.unterminated];
    }
    const inner = a.raw.slice(1, -1);
    const problems: string[] = [];
    if (inner.includes('\n')) problems.push(MSG.multiline);
    if (quote === '"' && /\\([^nr]|$)/.test(inner)) problems.push(MSG.escapes);
    return problems;
  }
  // Unquoted (or empty): dotenv's value ends at the first # or the end of the line, trimmed.
  const problems: string[] = [];
  if (a.raw === '') {
    if (a.rest.startsWith('#')) problems.push(MSG.leadingHash);
    else if (a.trailing !== '') problems.push(MSG.trailingSpace);
    return problems;
  }
  if (a.rest.startsWith('#') && a.trailing === '') problems.push(MSG.hashCut);
  if (a.rest === '' && a.trailing !== '') problems.push(MSG.trailingSpace);
  if (/\s/.test(a.value)) problems.push(MSG.unquotedSpaces);
  return problems;
}

/** Maps an offset in `src` to its 1-based line number. */
function lineIndex(src: string): (offset: number) => number {
  const starts = [0];
  for (let i = src.indexOf('\n'); i >= 0; i = src.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

function joinLines(lines: readonly number[]): string {
  return lines.length <= 2 ? lines.join(' and ') : `${lines.slice(0, -1).join(', ')} and ${lines.at(-1)}`;
}

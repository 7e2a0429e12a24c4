// Writes variables as a dotenv file that wrangler reads back exactly. `wrangler dev --env-file`
// parses with dotenv 16 and then expands `$VAR` / `${VAR}` with dotenv-expand, so every `$` is
// escaped as `\$` (dotenv-expand turns `\$` back into `$`), and each value is wrapped in a quote
// character it does not contain: dotenv has no escapes inside quotes except `\n` and `\r` in
// double quotes. JSON.stringify, used before, left `\"`, `\\` and `\t` as literal backslashes.
// A value ending in a backslash is written last: its closing quote reads as an escaped quote to
// dotenv's pattern, which may then run on into the next line (`A='x\'` + `B='#y'`).

/** dotenv keys: letters, digits, `_`, `.` and `-`. */
const DOTENV_KEY = /^[\w.-]+$/;

export function formatDotenv(vars: Record<string, string>): string {
  const entries = Object.entries(vars);
  const trailing = entries.filter(([, v]) => v.endsWith('\\'));
  if (trailing.length > 1) {
    throw new Error(`${trailing.map(([k]) => k).join(', ')}: only one value may end with a backslash in a dotenv file`);
  }
  return [...entries.filter(([, v]) => !v.endsWith('\\')), ...trailing]
    .map(([key, value]) => `${key}=${quoteDotenvValue(key, value)}`)
    .join('\n') + '\n';
}

/** One value, quoted so that dotenv.parse plus dotenv-expand give it back unchanged. Throws (naming the key, never the value) when impossible. */
export function quoteDotenvValue(key: string, value: string): string {
  if (!DOTENV_KEY.test(key)) throw new Error(`${key}: not a name dotenv can read`);
  const escaped = value.replace(/\$/g, '\\$');
  // dotenv turns every CR (and CRLF) in the file into LF, so a CR survives only as the \r escape of double quotes.
  if (!value.includes('\r')) {
    for (const q of ["'", '`']) if (!value.includes(q)) return `${q}${escaped}${q}`;
  }
  // Double quotes turn \n and \r into line breaks, so a value may not contain those two-character sequences.
  if (!value.includes('"') && !/\\[nr]/.test(escaped)) return `"${escaped.replace(/\r/g, '\\r')}"`;
  throw new Error(`${key}: the value contains all three quote characters (or a carriage return with a double quote) and cannot be written to a dotenv file`);
}

// Scans captured worker output for PHI and secrets the tests used: full phone numbers, API keys,
// signed-link tokens, configured secrets and document text. Every line is scanned, wrangler's own
// access log included (scripts/stack/redacted-output.ts masks it, as `npm run dev` shows it). Used
// by the global teardown (the shared worker's output and the audit table) and by every custom
// worker's stop, so the whole API suite doubles as a "no PHI in logs or audit" test.
export interface PhiFinding {
  kind: string;
  line: number;
}

const DOCUMENT_TEXT = ['Faxbot test document', 'résumé of the referral', 'Patient 山田', 'Inbound referral'];

export function scanForPhi(lines: string[], secrets: string[]): PhiFinding[] {
  const findings: PhiFinding[] = [];
  lines.forEach((raw, i) => {
    const digits = raw.replace(/[\s().-]/g, '');
    const checks: Array<[string, boolean]> = [
      // The tests' fictional numbers (+1 555 …, UK drama numbers 020 7946 0xxx), and any full E.164 number.
      ['phone number', /5555550\d{3}/.test(digits) || /\+?1?555\d{7}/.test(digits) || /79460\d{3}/.test(digits) || /\+[1-9]\d{9,14}/.test(digits)],
      ['api key', /fbk_[a-z0-9]{16}_[A-Za-z0-9_-]{20,}/.test(raw)],
      ['signed link token', /[?&]token=[A-Za-z0-9_-]{16,}/.test(raw)],
      ['secret', secrets.some((s) => s.length >= 8 && raw.includes(s))],
      ['document text', DOCUMENT_TEXT.some((t) => raw.includes(t))],
      // Drizzle's wrapper quotes the statement and its parameters; neither may reach a log.
      ['sql text', /Failed query|\bparams: /.test(raw)],
    ];
    for (const [kind, hit] of checks) if (hit) findings.push({ kind, line: i + 1 });
  });
  return findings;
}

/** Fails with a summary of the findings (kinds and line numbers, never the lines themselves). */
export function assertNoPhi(what: string, lines: string[], secrets: string[], where = ''): void {
  const findings = scanForPhi(lines, secrets);
  if (findings.length === 0) return;
  const summary = findings.slice(0, 20).map((f) => `line ${f.line}: ${f.kind}`).join('; ');
  throw new Error(`PHI check of ${what} failed: ${findings.length} finding(s)${where ? ` in ${where}` : ''}: ${summary}`);
}

// Scans captured worker logs for PHI and secrets the tests used: full phone numbers, API keys,
// signed-link tokens, configured secrets and document text. Used by the global teardown, so the
// whole API suite doubles as a "no PHI in logs" test.
export interface PhiFinding {
  kind: string;
  line: number;
}

const DOCUMENT_TEXT = ['Faxbot test document', 'résumé of the referral', 'Patient 山田', 'Inbound referral'];

/** wrangler dev's own access log (`[wrangler:info] GET /path?query 200`) is the local tool's, not ours. */
const WRANGLER_ACCESS_LOG = /^\[wrangler:info\] [A-Z]+ \//;

export function scanForPhi(lines: string[], secrets: string[]): PhiFinding[] {
  const findings: PhiFinding[] = [];
  lines.forEach((raw, i) => {
    if (WRANGLER_ACCESS_LOG.test(raw)) return;
    const digits = raw.replace(/[\s().-]/g, '');
    const checks: Array<[string, boolean]> = [
      ['phone number', /5555550\d{3}/.test(digits) || /\+?1?555\d{7}/.test(digits)],
      ['api key', /fbk_[a-z0-9]{16}_[A-Za-z0-9_-]{20,}/.test(raw)],
      ['signed link token', /[?&]token=[A-Za-z0-9_-]{16,}/.test(raw)],
      ['secret', secrets.some((s) => s.length >= 8 && raw.includes(s))],
      ['document text', DOCUMENT_TEXT.some((t) => raw.includes(t))],
    ];
    for (const [kind, hit] of checks) if (hit) findings.push({ kind, line: i + 1 });
  });
  return findings;
}

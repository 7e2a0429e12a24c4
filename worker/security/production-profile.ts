// The production security profile: settings that are acceptable in development but unsafe with
// patient data. Each problem names the variable(s) and the rule, never a value (values may be secrets).

/** Variables holding secrets: checked for length, well-known weak values and reuse across purposes. */
export const SECRET_VARIABLES = [
  'API_KEY',
  'PDF_TOKEN_SECRET',
  'S3_SECRET_ACCESS_KEY',
  'PHAXIO_API_SECRET',
  'PHAXIO_CALLBACK_TOKEN',
  'SINCH_WEBHOOK_SECRET',
  'SINCH_CALLBACK_PASSWORD',
  'AGENT_TOKEN_SECRET',
] as const;
export type SecretVariable = (typeof SECRET_VARIABLES)[number];

export const MIN_SECRET_LENGTH = 32;
export const MIN_AUDIT_RETENTION_DAYS = 90;

const WEAK_WORDS = [
  'changeme',
  'change-me',
  'password',
  'secret',
  'admin',
  'test',
  'default',
  'example',
  '123456',
  'letmein',
  'faxbot',
];

type RawEnv = Record<string, string | undefined>;

/**
 * True for well-known placeholder values (case-insensitive), a placeholder repeated to pad the
 * length (`changemechangeme…`) and values made of one repeated character. Length is checked
 * separately against MIN_SECRET_LENGTH.
 */
export function isWeakSecret(value: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === '') return true;
  if ([...v].every((ch) => ch === v[0])) return true;
  return WEAK_WORDS.some((w) => v.length % w.length === 0 && w.repeat(v.length / w.length) === v);
}

/**
 * Production is the default: only ENVIRONMENT exactly `development` or `test` opts out, matching
 * config.ts where an unset or invalid ENVIRONMENT falls back to production.
 */
export function isProductionEnvironment(env: RawEnv): boolean {
  const e = env.ENVIRONMENT;
  return !(e === 'development' || e === 'test');
}

/** Insecure settings when the environment is production; an empty list otherwise. */
export function productionProblems(env: RawEnv): string[] {
  if (!isProductionEnvironment(env)) return [];
  const problems: string[] = [];
  const get = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };

  if (get('API_KEY') !== undefined) {
    problems.push('API_KEY: no bootstrap admin key in production; create the first admin key with `npm run keys:create` instead');
  }
  if (isFalse(get('REQUIRE_API_KEY'))) problems.push('REQUIRE_API_KEY: must not be false in production');

  problems.push(...secretProblems(get));

  const publicUrl = get('PUBLIC_API_URL');
  if (publicUrl === undefined) problems.push('PUBLIC_API_URL: must be set to the public https:// URL in production');
  else if (!isHttpsUrl(publicUrl)) problems.push('PUBLIC_API_URL: must be an https:// URL in production');

  for (const name of ['WEBHOOK_SIGNATURE_VERIFICATION', 'PHAXIO_VERIFY_SIGNATURE']) {
    if (isFalse(get(name))) problems.push(`${name}: webhook signature verification must stay enabled in production`);
  }

  const cors = get('CORS_ORIGINS');
  if (cors !== undefined && cors.includes('*')) {
    problems.push('CORS_ORIGINS: must list exact origins, never * or wildcards');
  }
  if (isFalse(get('ENFORCE_PUBLIC_HTTPS'))) problems.push('ENFORCE_PUBLIC_HTTPS: must not be false in production');
  if (isFalse(get('AUDIT_LOG_ENABLED'))) problems.push('AUDIT_LOG_ENABLED: audit logging must stay enabled in production');

  const retention = get('AUDIT_RETENTION_DAYS');
  if (retention !== undefined) {
    const days = Number(retention);
    if (!Number.isInteger(days) || days < MIN_AUDIT_RETENTION_DAYS) {
      problems.push(`AUDIT_RETENTION_DAYS: must be a whole number of days, at least ${MIN_AUDIT_RETENTION_DAYS}`);
    }
  }

  if (get('DATABASE_WS_PROXY') !== undefined) {
    problems.push('DATABASE_WS_PROXY: development/tests only; leave it unset in production');
  }
  const s3 = get('S3_ENDPOINT');
  if (s3 !== undefined && !isHttpsUrl(s3)) problems.push('S3_ENDPOINT: must be an https:// URL in production');
  const db = get('DATABASE_URL');
  if (db !== undefined && /[?&]sslmode=(disable|allow)(&|#|$)/i.test(db)) {
    problems.push('DATABASE_URL: sslmode must not disable TLS; use sslmode=require or verify-full');
  }
  return problems;
}

function secretProblems(get: (name: string) => string | undefined): string[] {
  const problems: string[] = [];
  const byValue = new Map<string, SecretVariable[]>();
  for (const name of SECRET_VARIABLES) {
    const value = get(name);
    if (value === undefined) continue;
    if (isWeakSecret(value)) problems.push(`${name}: is a well-known or trivially guessable value`);
    else if (value.length < MIN_SECRET_LENGTH) problems.push(`${name}: must be at least ${MIN_SECRET_LENGTH} characters`);
    const names = byValue.get(value) ?? [];
    names.push(name);
    byValue.set(value, names);
  }
  for (const names of byValue.values()) {
    if (names.length > 1) {
      problems.push(`${joinNames(names)}: the same secret is reused for different purposes; use a distinct value for each`);
    }
  }
  return problems;
}

/** False-ish switch values; anything else (including unset) leaves the secure default in place. */
function isFalse(value: string | undefined): boolean {
  return value !== undefined && ['false', '0', 'no', 'off'].includes(value.toLowerCase());
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

function joinNames(names: readonly string[]): string {
  return names.length <= 2 ? names.join(' and ') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

// Unit tests for worker/security/production-profile.ts: every insecure production setting is named
// (variables and rule, never the value), and development/test environments are left alone.
import { describe, it, expect } from 'vitest';
import {
  SECRET_VARIABLES,
  isProductionEnvironment,
  isWeakSecret,
  productionProblems,
} from '../../worker/security/production-profile.ts';

const CLEAN: Record<string, string> = {
  ENVIRONMENT: 'production',
  DATABASE_URL: 'postgres://faxbot:Pw4dbUser0nly@db.example.org/faxbot?sslmode=require',
  S3_ENDPOINT: 'https://s3.us-east-1.amazonaws.com',
  S3_BUCKET: 'faxbot-documents',
  S3_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  S3_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ1a2b3c4d', // 40 chars, like a real AWS secret
  PDF_TOKEN_SECRET: 'q8VnR2xT5mW9zK3pL7cF1hJ4dS6gB0yN-uE_aQwZt', // 41 chars
  PUBLIC_API_URL: 'https://fax.example.org',
  CORS_ORIGINS: 'https://app.example.org,https://admin.example.org',
  AUDIT_RETENTION_DAYS: '365',
  WEBHOOK_SIGNATURE_VERIFICATION: 'true',
};

const with_ = (overrides: Record<string, string | undefined>) => productionProblems({ ...CLEAN, ...overrides });

describe('productionProblems', () => {
  it('accepts a clean production configuration', () => {
    expect(productionProblems(CLEAN)).toEqual([]);
  });

  it('applies when ENVIRONMENT is production, unset or invalid (production is the default)', () => {
    expect(isProductionEnvironment({ ENVIRONMENT: 'production' })).toBe(true);
    expect(isProductionEnvironment({})).toBe(true);
    expect(isProductionEnvironment({ ENVIRONMENT: 'prod' })).toBe(true);
    expect(with_({ ENVIRONMENT: undefined, API_KEY: 'changeme' })).not.toEqual([]);
  });

  it.each(['development', 'test'])('returns nothing when ENVIRONMENT=%s', (environment) => {
    expect(productionProblems({ ENVIRONMENT: environment, API_KEY: 'changeme', REQUIRE_API_KEY: 'false' })).toEqual([]);
  });

  it('flags API_KEY=changeme: bootstrap key present and a weak value', () => {
    const problems = with_({ API_KEY: 'changeme' });
    expect(problems).toContain('API_KEY: no bootstrap admin key in production; create the first admin key with `npm run keys:create` instead');
    expect(problems).toContain('API_KEY: is a well-known or trivially guessable value');
    expect(problems.join('\n')).not.toContain('changeme');
  });

  it('flags a strong bootstrap API_KEY too: no bootstrap key in production at all', () => {
    expect(with_({ API_KEY: `fbk_${'k7Pq2'.repeat(8)}` })).toEqual([
      'API_KEY: no bootstrap admin key in production; create the first admin key with `npm run keys:create` instead',
    ]);
  });

  it.each(SECRET_VARIABLES.filter((n) => n !== 'API_KEY'))('flags a short or weak %s', (name) => {
    expect(with_({ [name]: 'Zq8-short-but-random' })).toEqual([`${name}: must be at least 32 characters`]);
    expect(with_({ [name]: 'PASSWORD' })).toEqual([`${name}: is a well-known or trivially guessable value`]);
  });

  it('flags a secret reused for two purposes, naming both variables and not the value', () => {
    const shared = 'Rr7-reused-value-Xk2p9Lm4Qz8Wv1Tn6Yb3';
    const problems = with_({ PDF_TOKEN_SECRET: shared, PHAXIO_CALLBACK_TOKEN: shared });
    expect(problems).toEqual([
      'PDF_TOKEN_SECRET and PHAXIO_CALLBACK_TOKEN: the same secret is reused for different purposes; use a distinct value for each',
    ]);
    expect(problems.join('\n')).not.toContain(shared.slice(0, 8));
  });

  it('names every variable when one secret is shared by three', () => {
    const shared = 'Tt5-three-ways-Jd8Lq2Wm7Xc4Vb9Nz1Pk6';
    const problems = with_({ PDF_TOKEN_SECRET: shared, SINCH_WEBHOOK_SECRET: shared, AGENT_TOKEN_SECRET: shared });
    expect(problems).toEqual([
      'PDF_TOKEN_SECRET, SINCH_WEBHOOK_SECRET and AGENT_TOKEN_SECRET: the same secret is reused for different purposes; use a distinct value for each',
    ]);
  });

  it.each<[Record<string, string | undefined>, string]>([
    [{ REQUIRE_API_KEY: 'false' }, 'REQUIRE_API_KEY: must not be false in production'],
    [{ PUBLIC_API_URL: undefined }, 'PUBLIC_API_URL: must be set to the public https:// URL in production'],
    [{ PUBLIC_API_URL: 'http://fax.example.org' }, 'PUBLIC_API_URL: must be an https:// URL in production'],
    [{ PUBLIC_API_URL: 'fax.example.org' }, 'PUBLIC_API_URL: must be an https:// URL in production'],
    [{ WEBHOOK_SIGNATURE_VERIFICATION: 'false' }, 'WEBHOOK_SIGNATURE_VERIFICATION: webhook signature verification must stay enabled in production'],
    [{ PHAXIO_VERIFY_SIGNATURE: '0' }, 'PHAXIO_VERIFY_SIGNATURE: webhook signature verification must stay enabled in production'],
    [{ CORS_ORIGINS: 'https://app.example.org, *' }, 'CORS_ORIGINS: must list exact origins, never * or wildcards'],
    [{ CORS_ORIGINS: 'https://*.example.org' }, 'CORS_ORIGINS: must list exact origins, never * or wildcards'],
    [{ ENFORCE_PUBLIC_HTTPS: 'no' }, 'ENFORCE_PUBLIC_HTTPS: must not be false in production'],
    [{ AUDIT_LOG_ENABLED: 'FALSE' }, 'AUDIT_LOG_ENABLED: audit logging must stay enabled in production'],
    [{ AUDIT_RETENTION_DAYS: '30' }, 'AUDIT_RETENTION_DAYS: must be a whole number of days, at least 90'],
    [{ AUDIT_RETENTION_DAYS: 'forever' }, 'AUDIT_RETENTION_DAYS: must be a whole number of days, at least 90'],
    [{ DATABASE_WS_PROXY: '127.0.0.1:8081/v1' }, 'DATABASE_WS_PROXY: development/tests only; leave it unset in production'],
    [{ S3_ENDPOINT: 'http://minio.internal:9000' }, 'S3_ENDPOINT: must be an https:// URL in production'],
    [
      { DATABASE_URL: 'postgres://u:p@db.example.org/faxbot?application_name=x&SSLMODE=disable' },
      'DATABASE_URL: sslmode must not disable TLS; use sslmode=require or verify-full',
    ],
  ])('flags %j', (overrides, expected) => {
    expect(with_(overrides)).toEqual([expected]);
  });

  it('accepts secure explicit settings and the boundary retention of 90 days', () => {
    expect(
      with_({
        REQUIRE_API_KEY: 'true',
        ENFORCE_PUBLIC_HTTPS: 'true',
        AUDIT_LOG_ENABLED: '1',
        AUDIT_RETENTION_DAYS: '90',
        PHAXIO_VERIFY_SIGNATURE: 'yes',
        DATABASE_URL: 'postgres://u:p@db.example.org/faxbot?sslmode=verify-full',
        DATABASE_WS_PROXY: '  ',
      }),
    ).toEqual([]);
  });

  it('never includes a value in any message', () => {
    const insecure: Record<string, string> = {
      API_KEY: 'letmein',
      PDF_TOKEN_SECRET: 'Dup1icated-secret-value-Hq7Wz3Lp9Xk2',
      PHAXIO_API_SECRET: 'Dup1icated-secret-value-Hq7Wz3Lp9Xk2',
      S3_SECRET_ACCESS_KEY: 'tooShortS3key',
      PUBLIC_API_URL: 'http://plain.example.org',
      DATABASE_URL: 'postgres://user:Hunter2pw@db/faxbot?sslmode=disable',
      DATABASE_WS_PROXY: 'proxyhost:9999/v1',
      CORS_ORIGINS: 'https://*.example.com',
    };
    const problems = with_(insecure);
    expect(problems.length).toBeGreaterThanOrEqual(8);
    for (const value of Object.values(insecure)) expect(problems.join('\n')).not.toContain(value);
  });
});

describe('isWeakSecret', () => {
  it.each([
    'changeme', 'CHANGE-ME', 'Password', 'secret', 'admin', 'test', 'default', 'example', '123456', 'letmein', 'faxbot',
    'a'.repeat(48), '0'.repeat(32), 'changeme'.repeat(5), ' secret ',
  ])('%j is weak', (value) => {
    expect(isWeakSecret(value)).toBe(true);
  });

  it.each(['q8VnR2xT5mW9zK3pL7cF1hJ4dS6gB0yN', 'changeme-but-then-some-random-Xk29', 'abababababababababababababababab'])(
    '%j is not a well-known value',
    (value) => {
      expect(isWeakSecret(value)).toBe(false);
    },
  );

  it('lists the secret variables', () => {
    expect(SECRET_VARIABLES).toEqual([
      'API_KEY', 'PDF_TOKEN_SECRET', 'S3_SECRET_ACCESS_KEY', 'PHAXIO_API_SECRET', 'PHAXIO_CALLBACK_TOKEN',
      'SINCH_WEBHOOK_SECRET', 'SINCH_CALLBACK_PASSWORD', 'AGENT_TOKEN_SECRET',
    ]);
  });
});

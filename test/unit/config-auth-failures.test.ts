// Unit tests for the failed-authentication limit's default in worker/config.ts. Locally every
// client shares one bucket (127.0.0.1), so ENVIRONMENT=development defaults to a higher limit;
// production and test keep 10, and an explicit AUTH_FAILURES_PER_MINUTE always wins.
import { describe, it, expect } from 'vitest';
import { AUTH_FAILURES_DEFAULT, parseConfig } from '../../worker/config.ts';

const limit = (env: Record<string, string>) => parseConfig(env).rateLimits.authFailuresPerIp;

describe('AUTH_FAILURES_PER_MINUTE default', () => {
  it('is 10 in production (also when ENVIRONMENT is unset) and in test', () => {
    expect(limit({})).toBe(10);
    expect(limit({ ENVIRONMENT: 'production' })).toBe(10);
    expect(limit({ ENVIRONMENT: 'test' })).toBe(10);
    expect(AUTH_FAILURES_DEFAULT.production).toBe(10);
  });

  it('is 1000 in development, where every local client is one address', () => {
    expect(limit({ ENVIRONMENT: 'development' })).toBe(1000);
  });

  it('an explicit value wins in every environment', () => {
    expect(limit({ ENVIRONMENT: 'development', AUTH_FAILURES_PER_MINUTE: '3' })).toBe(3);
    expect(limit({ ENVIRONMENT: 'production', AUTH_FAILURES_PER_MINUTE: '25' })).toBe(25);
  });

  it('an invalid value is a named problem and falls back to the environment default', () => {
    const config = parseConfig({ ENVIRONMENT: 'development', AUTH_FAILURES_PER_MINUTE: '0' });
    expect(config.problems).toContainEqual(expect.stringMatching(/^AUTH_FAILURES_PER_MINUTE: /));
    expect(config.rateLimits.authFailuresPerIp).toBe(1000);
  });
});

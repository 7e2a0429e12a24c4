// The per-isolate memory of addresses with no failed authentication (security/clean-addresses.ts):
// remembered at most a second and never past the window, forgotten on a failure, bounded in size.
import { describe, expect, it } from 'vitest';
import { forgetClean, isKnownClean, rememberClean } from '../../worker/security/clean-addresses.ts';

describe('clean addresses', () => {
  it('remembers a clean address for at most a second, and never past its window', () => {
    const now = 1_000_000;
    rememberClean('authfail:203.0.113.1', now + 60_000, now);
    expect(isKnownClean('authfail:203.0.113.1', now + 999)).toBe(true);
    expect(isKnownClean('authfail:203.0.113.1', now + 1000)).toBe(false);
    rememberClean('authfail:203.0.113.2', now + 200, now);
    expect(isKnownClean('authfail:203.0.113.2', now + 199)).toBe(true);
    expect(isKnownClean('authfail:203.0.113.2', now + 200)).toBe(false);
  });

  it('forgets an address on a failure, and unknown addresses are not clean', () => {
    const now = Date.now();
    rememberClean('authfail:203.0.113.3', now + 60_000, now);
    forgetClean('authfail:203.0.113.3');
    expect(isKnownClean('authfail:203.0.113.3', now)).toBe(false);
    expect(isKnownClean('authfail:198.51.100.9', now)).toBe(false);
  });

  it('stays bounded: past 10,000 addresses it starts over', () => {
    const now = Date.now();
    for (let i = 0; i < 10_001; i++) rememberClean(`authfail:a${i}`, now + 60_000, now);
    expect(isKnownClean('authfail:a0', now)).toBe(false);
    expect(isKnownClean('authfail:a10000', now)).toBe(true);
  });
});

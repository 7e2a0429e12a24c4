// The security header set every Faxbot response must carry (JSON, PDFs, errors, preflights):
// shared by the header, CORS, HTTPS, production-profile and rate-limit tests.
import { expect } from 'vitest';

/** Generated request ids: `req_` + 20 lowercase alphanumerics (worker/middleware/request-context.ts). */
export const GENERATED_REQUEST_ID = /^req_[a-z0-9]{20}$/;

export function expectSecurityHeaders(res: Response, label = `${res.status} ${res.url}`): void {
  const h = res.headers;
  const got = (name: string) => h.get(name);
  const ctx = (name: string) => `${label}: ${name}`;
  expect(got('strict-transport-security'), ctx('Strict-Transport-Security')).toBe('max-age=31536000; includeSubDomains; preload');
  const csp = got('content-security-policy') ?? '';
  expect(csp, ctx('Content-Security-Policy')).toContain("default-src 'none'");
  expect(csp, ctx('Content-Security-Policy')).toContain("frame-ancestors 'none'");
  expect(got('x-content-type-options'), ctx('X-Content-Type-Options')).toBe('nosniff');
  // Console pages send same-origin (their forms' Origin header is checked; no-referrer makes it "null").
  const consolePage = new URL(res.url).pathname.startsWith('/console') && (got('content-type') ?? '').startsWith('text/html');
  expect(got('referrer-policy'), ctx('Referrer-Policy')).toBe(consolePage ? 'same-origin' : 'no-referrer');
  expect(got('x-frame-options'), ctx('X-Frame-Options')).toBe('DENY');
  const pp = (got('permissions-policy') ?? '').replace(/\s+/g, '');
  for (const feature of ['camera', 'microphone', 'geolocation']) {
    expect(pp.split(','), ctx(`Permissions-Policy ${feature}`)).toContain(`${feature}=()`);
  }
  expect(got('cache-control'), ctx('Cache-Control')).toBe('no-store, no-cache, must-revalidate');
  expect(got('pragma'), ctx('Pragma')).toBe('no-cache');
  expect(got('expires'), ctx('Expires')).toBe('0');
  expect(h.has('x-powered-by'), ctx('no X-Powered-By')).toBe(false);
  expect(got('x-request-id'), ctx('X-Request-Id')).toMatch(/^\S{8,128}$/);
}

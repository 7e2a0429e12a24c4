// Security headers on every response (JSON, PDFs and errors alike) via hono/secure-headers, plus
// no-store caching: every API response can carry PHI. WebSocket upgrade responses come from Durable
// Objects with immutable headers and are left alone.
import { createMiddleware } from 'hono/factory';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from '../context.ts';
import { FRAMEABLE } from '../console/documents.ts';

const headers = secureHeaders({
  strictTransportSecurity: 'max-age=31536000; includeSubDomains; preload',
  contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  xContentTypeOptions: 'nosniff',
  referrerPolicy: 'no-referrer',
  xFrameOptions: 'DENY',
  permissionsPolicy: { camera: [], microphone: [], geolocation: [] },
  crossOriginResourcePolicy: 'same-origin',
  crossOriginOpenerPolicy: 'same-origin',
  xXssProtection: '0',
  removePoweredBy: true,
});

/**
 * The CSP of the worker's HTML pages (/docs, /console): this origin's scripts, styles, images and
 * fetches only — no inline script or style, no third-party origin. JSON and PDFs keep default-src 'none'.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export const securityHeaders = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.header('upgrade')?.toLowerCase() === 'websocket') return next();
  await headers(c, async () => {
    await next();
  });
  if (c.res.status === 101) return;
  if ((c.res.headers.get('content-type') ?? '').startsWith('text/html')) {
    c.res.headers.set('content-security-policy', PAGE_CSP);
    // The console's forms are checked against their Origin, which browsers send as "null" under
    // no-referrer; same-origin still sends nothing to any other origin.
    if (c.req.path.startsWith('/console')) c.res.headers.set('referrer-policy', 'same-origin');
  }
  // A console document (console/documents.ts) may be framed by this origin's own pages only.
  if (c.res.headers.has(FRAMEABLE) && c.req.path.startsWith('/console/')) {
    c.res.headers.delete(FRAMEABLE);
    c.res.headers.set('x-frame-options', 'SAMEORIGIN');
    c.res.headers.set('content-security-policy', "default-src 'none'; frame-ancestors 'self'");
  }
  c.res.headers.set('cache-control', 'no-store, no-cache, must-revalidate');
  c.res.headers.set('pragma', 'no-cache');
  c.res.headers.set('expires', '0');
});

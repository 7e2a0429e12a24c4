// For document downloads: an API key with the scope, or (without a key) the short-lived signed
// link from the resource's pdf_url. Expired and forged links are 401 with distinct codes.
import { createMiddleware } from 'hono/factory';
import type { Scope } from '../auth/scopes.ts';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';
import { verifyDocumentToken } from '../lib/pdf-token.ts';
import { requireScope } from './require-scope.ts';

export const scopeOrSignedLink = (scope: Scope) =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (c.get('caller')) return requireScope(scope)(c, next);
    const secret = c.get('config').pdfTokenSecret;
    const verdict = secret ? await verifyDocumentToken(secret, c.req.param('id') ?? '', c.req.query('token') ?? '', c.req.query('expires')) : 'invalid';
    if (verdict === 'expired') throw new ApiError(401, 'token_expired', 'This document link has expired; fetch the resource again for a fresh one.');
    if (verdict !== 'ok') throw new ApiError(401, 'invalid_token', 'This document link is not valid.');
    await next();
  });

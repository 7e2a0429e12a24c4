// GET /openapi.json — the OpenAPI 3.1 contract (public, no PHI), generated from the operation table
// and the request and response schemas (worker/openapi/); GET /docs — the same document rendered as
// the interactive reference (openapi/reference-page.ts) under the pages' CSP (security-headers.ts).
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../context.ts';
import { openApiDocument } from '../openapi/document.ts';
import { referencePage } from '../openapi/reference-page.ts';

let cached: { base: string; doc: Record<string, unknown> } | undefined;

function documentFor(c: Context<AppEnv>): Record<string, unknown> {
  const base = c.get('config').publicApiUrl ?? new URL(c.req.url).origin;
  if (cached?.base !== base) cached = { base, doc: openApiDocument(base, '0.1.0') };
  return cached.doc;
}

export const openApi = new Hono<AppEnv>().get('/', (c) => c.json(documentFor(c)));

export const apiReference = new Hono<AppEnv>().get('/', (c) => c.html(referencePage(documentFor(c))));

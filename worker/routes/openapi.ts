// GET /openapi.json — the OpenAPI 3.1 contract (public, no PHI), generated from the operation table
// and the response schemas the tests check (worker/openapi/).
import { Hono } from 'hono';
import type { AppEnv } from '../context.ts';
import { openApiDocument } from '../openapi/document.ts';

let cached: { base: string; doc: Record<string, unknown> } | undefined;

export const openApi = new Hono<AppEnv>().get('/', (c) => {
  const base = c.get('config').publicApiUrl ?? new URL(c.req.url).origin;
  if (cached?.base !== base) cached = { base, doc: openApiDocument(base, '0.1.0') };
  return c.json(cached.doc);
});

// Holds API responses to the OpenAPI contract: finds the operation of a request (method + path
// template of worker/openapi/operations.ts) and parses a JSON success body with its zod schema, and
// an error body with the Error schema. test/support/api.ts runs every API test's responses through
// this, so a view that drifts from the documented shape fails the test that saw it.
import type { z } from 'zod';
import { OPERATIONS } from '../../worker/openapi/operations.ts';
import { ErrorBody } from '../../worker/openapi/schemas.ts';

const matchers = OPERATIONS.map((op) => ({ op, re: new RegExp(`^${op.path.replace(/\{\w+\}/g, '[^/]+').replace(/\./g, '\\.')}$`) }));

export function operationFor(method: string, path: string) {
  const p = path.split('?')[0]!;
  return matchers.find((m) => m.op.method === method.toLowerCase() && m.re.test(p))?.op;
}

/** Throws when `body` (parsed JSON) does not match what the document says for this response. */
export function checkResponse(method: string, path: string, status: number, body: unknown): void {
  const op = operationFor(method, path);
  // Unknown paths and methods answer 404/405 in the Error shape; anything else must be documented.
  if (!op && status < 400) throw new Error(`OpenAPI: no operation documents ${method} ${path}`);
  if (!op || status >= 400) {
    const r = ErrorBody.safeParse(body);
    if (!r.success) throw new Error(`OpenAPI: ${method} ${path} -> ${status}: not the Error schema: ${r.error.message.slice(0, 300)}`);
    return;
  }
  const schema = op!.responses[status];
  if (schema === undefined) throw new Error(`OpenAPI: ${method} ${op!.path} does not document status ${status}`);
  if (schema === null || typeof schema === 'string') return;
  const r = (schema as z.ZodType).safeParse(body);
  if (!r.success) throw new Error(`OpenAPI: ${method} ${path} -> ${status} does not match its schema: ${r.error.message.slice(0, 500)}`);
}

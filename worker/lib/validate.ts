// Request validation with zod: malformed JSON -> 400 `invalid_json`; schema violations -> 400
// `invalid_request` listing each field and problem. Never a 500 for bad input.
import type { Context } from 'hono';
import { z } from 'zod';
import { ApiError } from '../errors.ts';

export async function readJson<T extends z.ZodType>(c: Context, schema: T, opts: { optional?: boolean } = {}): Promise<z.infer<T>> {
  const text = await c.req.text();
  let raw: unknown = {};
  if (text.trim() !== '') {
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/(.+\+)?json\b/i.test(type)) {
      throw new ApiError(415, 'unsupported_media_type', 'Send the body as application/json.');
    }
    try {
      raw = JSON.parse(text);
    } catch {
      throw new ApiError(400, 'invalid_json', 'The request body is not valid JSON.');
    }
  } else if (!opts.optional) {
    throw new ApiError(400, 'invalid_json', 'The request body must be a JSON object.');
  }
  return parseWith(schema, raw);
}

export function parseWith<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
  const result = schema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', problem: i.message }));
    throw new ApiError(400, 'invalid_request', `Invalid request: ${problems.map((p) => `${p.field}: ${p.problem}`).join('; ')}`, {
      problems,
    });
  }
  return result.data;
}

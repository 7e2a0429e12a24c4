// Caps JSON request bodies (JSON_BODY_LIMIT_KB) while they stream: 413 `body_too_large`.
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../context.ts';
import { ApiError } from '../errors.ts';

export const jsonBodyLimit = createMiddleware<AppEnv>(async (c, next) => {
  const max = c.get('config').jsonBodyLimitBytes;
  return bodyLimit({
    maxSize: max,
    onError: () => {
      throw new ApiError(413, 'body_too_large', `The request body exceeds ${max} bytes.`, { max_bytes: max });
    },
  })(c, next);
});

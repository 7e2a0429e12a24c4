// The one error handler: ApiError -> its JSON body; Hono HTTP errors -> JSON with a stable code;
// an unreachable database or document store -> 503 `database_unavailable` / `storage_unavailable`
// with Retry-After; anything else -> 500 `internal_error` with the request id and no stack trace.
import type { ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../context.ts';
import { ApiError, type ErrorBody } from '../errors.ts';
import { log } from '../lib/log.ts';
import { StorageError } from '../services/s3-document-store.ts';
import { isDatabaseUnavailable } from '../lifecycle/db-errors.ts';
import { rootMessage, rootName } from '../lib/error-detail.ts';

/** Seconds a client should wait before retrying after an outage answer. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

const HTTP_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

export const onError: ErrorHandler<AppEnv> = (err, c) => {
  const requestId = c.get('requestId');
  let status: ApiError['status'] = 500;
  let body: ErrorBody;
  if (err instanceof ApiError) {
    status = err.status;
    body = err.toJSON();
  } else if (err instanceof HTTPException) {
    status = err.status as ApiError['status'];
    body = { error: { code: HTTP_CODES[status] ?? 'http_error', message: err.message || 'Request failed' } };
  } else if (err instanceof StorageError) {
    status = 503;
    log('error', 'document storage failed', { request_id: requestId, detail: err.message.slice(0, 200) });
    body = { error: { code: 'storage_unavailable', message: 'Document storage is unavailable; retry later.' } };
  } else if (isDatabaseUnavailable(err)) {
    status = 503;
    log('error', 'database unavailable', { request_id: requestId, error: rootName(err) });
    body = { error: { code: 'database_unavailable', message: 'The database is unavailable; retry later (an Idempotency-Key makes the retry safe).' } };
  } else {
    // Driver messages can quote SQL and values: rootMessage keeps only what is safe (lib/error-detail.ts).
    log('error', 'unhandled error', { request_id: requestId, error: err.name, detail: rootMessage(err).slice(0, 300) });
    body = { error: { code: 'internal_error', message: 'An internal error occurred.' } };
  }
  body.error.request_id = requestId;
  const res = c.json(body, status);
  if (status === 503 && !(err instanceof ApiError)) res.headers.set('retry-after', String(OUTAGE_RETRY_AFTER_SECONDS));
  if (err instanceof ApiError && err.headers) for (const [k, v] of Object.entries(err.headers)) res.headers.set(k, v);
  return res;
};

// Recognises Postgres errors through drizzle's wrapping (DrizzleQueryError -> driver error):
// unique violations the lifecycle expects, and connection failures that mean "database unavailable".

interface PgLikeError {
  code?: unknown;
  constraint?: unknown;
  message?: unknown;
  cause?: unknown;
}

/** An error and its causes, whatever their type (a Neon socket failure's cause is an ErrorEvent). */
export function* chain(err: unknown): Generator<PgLikeError> {
  let e: unknown = err;
  for (let i = 0; i < 8 && e && typeof e === 'object'; i++) {
    yield e as PgLikeError;
    e = (e as PgLikeError).cause;
  }
}

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  for (const e of chain(err)) {
    if (e.code === '23505' && (!constraint || e.constraint === constraint || String(e.message ?? '').includes(constraint))) return true;
  }
  return false;
}

/**
 * SQLSTATE classes 08 (connection), 57P0x (shutdown), 53 (resources), socket-level failures, and
 * the HTTP mode's: a fetch that failed ("Error connecting to database") or a 5xx from the endpoint.
 */
const CONNECTION_MESSAGE = /connection (terminated|refused|ended|closed|timeout)|ECONNREFUSED|ECONNRESET|EPIPE|socket|websocket|network|terminating connection|the database system is (starting up|shutting down)|Client has encountered a connection error|timeout exceeded when trying to connect|Connection terminated|Error connecting to database|Server error \(HTTP status 5\d\d\)/i;

export function isDatabaseUnavailable(err: unknown): boolean {
  for (const e of chain(err)) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (/^08/.test(code) || /^57P0/.test(code) || /^53/.test(code) || code === 'ECONNREFUSED' || code === 'ECONNRESET') return true;
    const ctor = (e as { constructor?: { name?: string } }).constructor?.name ?? '';
    if (ctor === 'ErrorEvent' || ctor === 'CloseEvent') return true;
    if (CONNECTION_MESSAGE.test(String(e.message ?? ''))) return true;
  }
  return false;
}

/**
 * An error the server reported for a statement (a SQLSTATE outside the connection classes): the
 * connection that carried it is still usable. Anything else (socket failures, driver errors, errors
 * without a SQLSTATE) may have left the connection or the pool broken.
 */
export function isStatementError(err: unknown): boolean {
  if (isDatabaseUnavailable(err)) return false;
  for (const e of chain(err)) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return true;
  }
  return false;
}

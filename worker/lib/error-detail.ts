// What may be logged about an unexpected error: the innermost cause's class name and, when safe,
// its message. Drizzle wraps driver errors as "Failed query: <sql> params: <values>", and Postgres's
// own messages quote values (22P02 `invalid input syntax for type uuid: "…"`, 23505's `Key (…)=(…)`),
// so a cause with a SQLSTATE is logged by name and code only, and any message that looks like SQL is
// dropped. The chain is walked whatever the causes' types (a Neon socket failure's is an ErrorEvent).
import { chain } from '../lifecycle/db-errors.ts';

const SQL_TEXT = /failed query|params:|\b(insert|update|select|delete)\b[\s\S]*\b(into|from|set|where)\b/i;

export function rootMessage(err: unknown): string {
  const e = rootCause(err);
  const name = String((e as { name?: unknown } | null)?.name ?? rootName(err));
  const sqlstate = sqlState(err);
  if (sqlstate) return `${name}: database error ${sqlstate} (message not logged)`;
  const message = String((e as { message?: unknown } | null)?.message ?? '');
  if (SQL_TEXT.test(message)) return `${name}: (database error, query not logged)`;
  return `${name}: ${message}`;
}

/** The innermost error's class name only. */
export function rootName(err: unknown): string {
  const e = rootCause(err);
  return (e as { constructor?: { name?: string } } | null)?.constructor?.name ?? typeof e;
}

function rootCause(err: unknown): unknown {
  let last: unknown = err;
  for (const e of chain(err)) last = e;
  return last;
}

function sqlState(err: unknown): string | undefined {
  for (const e of chain(err)) if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  return undefined;
}

// Neon's HTTP query protocol ("query over fetch": what `neon()` and drizzle's neon-http driver
// speak) for the dev/test proxy, so the worker's request path runs here exactly as against Neon:
// one HTTP request per statement, no connection setup in the worker. POST /sql carries the
// connection string in `Neon-Connection-String` and `{query, params}` or `{queries: [...]}` (a
// batch, run in one transaction, with the Neon-Batch-* options); the answer is what Neon sends
// with `Neon-Raw-Text-Output` and `Neon-Array-Mode`: fields with their type oids and rows as arrays
// of text, which the driver parses with its own type parsers. A Postgres error is 400 with its
// fields (code, constraint, …), as Neon answers; a database we cannot reach is 400 with SQLSTATE
// 08006 so the driver surfaces the code. Statements run on pooled, already-authenticated backends.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pg from 'pg';

export interface HttpSqlHooks {
  /** One request: the client's application_name and the statements it runs. */
  request?(application: string, statements: string[]): void;
}

export interface HttpSqlOptions {
  /**
   * Prepare each statement text once per backend (a PostgreSQL server). Not for embedded PGlite:
   * its one backend serves every pooled connection, so a name prepared on one is already taken on
   * the next (42P05).
   */
  preparedStatements?: boolean;
}

interface Query {
  query: string;
  params?: unknown[];
}

const MAX_BODY = 16 * 1024 * 1024;
const ISOLATION: Record<string, string> = {
  ReadUncommitted: 'read uncommitted',
  ReadCommitted: 'read committed',
  RepeatableRead: 'repeatable read',
  Serializable: 'serializable',
};
// Every value as the text Postgres sent; the driver parses it (Neon-Raw-Text-Output).
const rawText = { getTypeParser: () => (value: string) => value };
const ERROR_FIELDS = ['severity', 'code', 'detail', 'hint', 'position', 'internalPosition', 'internalQuery', 'where', 'schema', 'table', 'column', 'dataType', 'constraint', 'file', 'line', 'routine'] as const;

// With `preparedStatements`, each statement text is prepared once per pooled backend under a name of
// its own, and then only bound and executed: the server does not parse and plan the same text again
// on every request (the worker sends a few dozen distinct statements, over and over). Postgres
// re-plans a prepared statement by itself when the schema it depends on changes.
const statementNames = new Map<string, string>();
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    if (statementNames.size >= 10_000) statementNames.clear();
    name = `faxbot_${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
    statementNames.set(text, name);
  }
  return name;
}

export interface HttpSql {
  handle(req: IncomingMessage, res: ServerResponse): void;
  close(): Promise<void>;
}

/**
 * `allowed(url)` says whether a client's connection string names this database with the right
 * credentials (constant-time check by the caller).
 */
export function createHttpSql(databaseUrl: string, allowed: (connectionString: URL) => boolean, hooks: HttpSqlHooks = {}, options: HttpSqlOptions = {}): HttpSql {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 8, idleTimeoutMillis: 30_000 });
  // A backend terminated or lost (a test's outage, a server restart) must not crash the process:
  // idle clients report to the pool, checked-out ones to their own listener; the query in flight
  // fails on its own and the client is discarded on release.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));

  const send = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const fail = (res: ServerResponse, err: unknown) => {
    const e = err as Record<string, unknown> & { message?: string };
    const body: Record<string, unknown> = { message: String(e?.message ?? err) };
    if (err instanceof pg.DatabaseError) {
      for (const f of ERROR_FIELDS) if (e[f] !== undefined) body[f] = e[f];
    } else body.code = '08006';
    send(res, 400, body);
  };
  const run = async (client: pg.PoolClient, q: Query) => {
    const r = await client.query({ ...(options.preparedStatements ? { name: statementName(q.query) } : {}), text: q.query, values: q.params ?? [], rowMode: 'array', types: rawText });
    return { command: r.command, rowCount: r.rowCount, rows: r.rows, fields: r.fields, rowAsArray: true };
  };

  const execute = async (req: IncomingMessage, res: ServerResponse, body: { query?: string; params?: unknown[]; queries?: Query[] }) => {
    const header = (name: string) => (req.headers[name.toLowerCase()] as string | undefined) ?? undefined;
    let conn: URL;
    try {
      conn = new URL(header('Neon-Connection-String') ?? '');
    } catch {
      return send(res, 400, { message: 'Neon-Connection-String is missing or not a URL', code: '08P01' });
    }
    if (!allowed(conn)) return send(res, 400, { message: 'password authentication failed', code: '28P01' });
    const batch = Array.isArray(body.queries) ? body.queries : null;
    const queries = batch ?? [{ query: String(body.query ?? ''), params: body.params }];
    hooks.request?.(conn.searchParams.get('application_name') ?? '', queries.map((q) => q.query));
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      return fail(res, err);
    }
    let broken = false;
    try {
      if (!batch) return send(res, 200, await run(client, queries[0]!));
      const level = ISOLATION[header('Neon-Batch-Isolation-Level') ?? ''];
      const readOnly = header('Neon-Batch-Read-Only') === 'true';
      const deferrable = header('Neon-Batch-Deferrable') === 'true';
      await client.query(`begin${level ? ` isolation level ${level}` : ''}${readOnly ? ' read only' : ''}${deferrable ? ' deferrable' : ''}`);
      try {
        const results = [];
        for (const q of batch) results.push(await run(client, q));
        await client.query('commit');
        send(res, 200, { results });
      } catch (err) {
        await client.query('rollback').catch(() => (broken = true));
        throw err;
      }
    } catch (err) {
      broken ||= !(err instanceof pg.DatabaseError);
      fail(res, err);
    } finally {
      client.release(broken);
    }
  };

  return {
    handle(req, res) {
      if (req.method !== 'POST') return send(res, 405, { message: 'POST only' });
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) req.destroy();
        else chunks.push(c);
      });
      req.on('end', () => {
        let body: { query?: string; params?: unknown[]; queries?: Query[] };
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
        } catch {
          return send(res, 400, { message: 'the body is not JSON', code: '08P01' });
        }
        execute(req, res, body).catch((err: unknown) => fail(res, err));
      });
    },
    close: () => pool.end(),
  };
}

// No SQL text or parameters in any log line: what the error handler and the retention cron log about
// an unexpected error (worker/lib/error-detail.ts), through drizzle's "Failed query: … params: …"
// wrapper, Postgres messages that quote values, and a Neon socket failure whose cause is an ErrorEvent.
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rootMessage, rootName } from '../../worker/lib/error-detail.ts';

const NUMBER = '+15557654399';
const wrapped = (cause: unknown) => new DrizzleQueryError('insert into fax_jobs (to_number) values ($1)', [NUMBER], cause as Error);

describe('rootMessage', () => {
  it('never returns the SQL or the parameters of a failed query', () => {
    const out = rootMessage(wrapped(undefined));
    expect(out).not.toContain('insert');
    expect(out).not.toContain('5557654399');
    expect(out).toContain('query not logged');
  });

  it('logs a Postgres error by name and SQLSTATE, not by its message (which quotes values)', () => {
    const pgError = Object.assign(new Error(`invalid input syntax for type uuid: "${NUMBER}"`), { code: '22P02', name: 'NeonDbError' });
    const out = rootMessage(wrapped(pgError));
    expect(out).toBe('NeonDbError: database error 22P02 (message not logged)');
    const unique = Object.assign(new Error(`duplicate key value violates unique constraint "x"; Key (to_number)=(${NUMBER})`), { code: '23505' });
    expect(rootMessage(unique)).not.toContain('5557654399');
  });

  it('walks through a cause that is not an Error (a Neon socket failure is an ErrorEvent)', () => {
    class ErrorEvent {
      readonly type = 'error';
      readonly message = 'WebSocket connection to wss://db.internal failed';
    }
    const err = wrapped(new ErrorEvent());
    expect(rootName(err)).toBe('ErrorEvent');
    expect(rootMessage(err)).toBe('ErrorEvent: WebSocket connection to wss://db.internal failed');
    expect(rootMessage(err)).not.toContain('params');
  });

  it('keeps an ordinary message', () => {
    expect(rootMessage(new TypeError('x is not a function'))).toBe('TypeError: x is not a function');
  });
});

describe('the retention cron', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.doUnmock('../../worker/services/audit-query.ts');
    vi.resetModules();
  });

  it('catches a failed query and logs no SQL, no parameters and no stack', async () => {
    vi.doMock('../../worker/services/audit-query.ts', () => ({
      pruneAuditEvents: async () => {
        throw wrapped(Object.assign(new Error(`value "${NUMBER}" out of range`), { code: '22003' }));
      },
    }));
    const lines: string[] = [];
    for (const level of ['log', 'warn', 'error'] as const) vi.spyOn(console, level).mockImplementation((line: unknown) => void lines.push(String(line)));
    const { scheduled } = await import('../../worker/scheduled.ts');
    const env = {
      ENVIRONMENT: 'test', DATABASE_URL: 'postgres://u:p@127.0.0.1:1/db', S3_ENDPOINT: 'http://s3', S3_BUCKET: 'b',
      S3_ACCESS_KEY_ID: 'a', S3_SECRET_ACCESS_KEY: 's', PDF_TOKEN_SECRET: 'p'.repeat(32),
    };
    const waits: Promise<unknown>[] = [];
    await expect(
      scheduled({ cron: '0 * * * *' } as ScheduledController, env as never, { waitUntil: (p: Promise<unknown>) => void waits.push(p) } as never),
    ).resolves.toBeUndefined();
    await Promise.all(waits);
    const failure = lines.find((l) => l.includes('retention failed'));
    expect(failure, lines.join('\n')).toBeDefined();
    expect(JSON.parse(failure!)).toMatchObject({ level: 'error', error: 'Error', detail: 'Error: database error 22003 (message not logged)' });
    const all = lines.join('\n');
    for (const leak of ['Failed query', 'params', 'insert into', '5557654399', '    at ']) expect(all).not.toContain(leak);
  });
});

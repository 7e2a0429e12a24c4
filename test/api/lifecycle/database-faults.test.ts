// Fault test: a burst of POST /fax while the database goes away several times. On the PostgreSQL
// run a dedicated server is started for this test (so restarting it disturbs no other test) and
// restarted with `pg_ctl restart -m fast` (sessions killed, open transactions rolled back); on the
// embedded path the worker's database proxy is cut and restored. Afterwards:
// - every non-202 answer was a 503 with Retry-After, never a 500;
// - every 202 job, and every job a non-202 request left behind, reaches a final state, and a
//   same-key retry replays it (live) instead of creating a second one;
// - no job was sent twice (one attempt each, one job per Idempotency-Key).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from '../../../scripts/stack/embedded-postgres.ts';
import { migrateDatabase } from '../../../scripts/stack/migrate.ts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startWsProxy, type WsProxy } from '../../../scripts/stack/ws-proxy.ts';
import { startCustomWorker, TEST_SECRETS, type CustomWorker } from '../../support/custom-worker.ts';
import { faxForm, makePdf } from '../../support/api.ts';

let dbUrl = inject('databaseUrl');
/** Set on the PostgreSQL run: this test's own server. */
let pgDir: string | undefined;

let proxy: WsProxy;
let proxyPort: number;
let edge: CustomWorker;

const asPostgres = () => (process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : []);

function pgCtl(): string {
  const onPath = ['/usr/local/bin/pg_ctl', '/usr/bin/pg_ctl'].find(existsSync);
  if (onPath) return onPath;
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort() : [];
  const found = versions.map((v) => `/usr/lib/postgresql/${v}/bin/pg_ctl`).filter(existsSync).at(-1);
  if (!found) throw new Error('database-faults: pg_ctl not found; install PostgreSQL (.ci/start-postgres.sh does)');
  return found;
}

beforeAll(async () => {
  if (inject('databaseKind') === 'postgres') {
    pgDir = mkdtempSync(path.join(os.tmpdir(), 'faxbot-faults-pg-'));
    execFileSync('chmod', ['755', pgDir]);
    dbUrl = execFileSync('.ci/start-postgres.sh', [path.join(pgDir, 'pg'), String(await freePort())], { encoding: 'utf8' }).trim();
    await migrateDatabase(dbUrl);
  }
  proxy = await startWsProxy({ databaseUrl: dbUrl });
  proxyPort = proxy.port;
  edge = await startCustomWorker({
    DATABASE_URL: dbUrl,
    DATABASE_WS_PROXY: `127.0.0.1:${proxyPort}/v1`,
    SANDBOX_STEP_MS: '100',
    FAX_RETRY_BUSY_SECONDS: '1',
    FAX_RETRY_CONNECTED_SECONDS: '1',
  });
}, 120_000);

afterAll(async () => {
  await edge?.stop();
  await proxy?.close();
  if (pgDir) {
    const [cmd, ...args] = [...asPostgres(), pgCtl(), '-D', path.join(pgDir, 'pg', 'data'), 'stop', '-m', 'immediate'];
    try {
      execFileSync(cmd!, args, { stdio: 'ignore' });
    } catch {
      // already stopped
    }
    rmSync(pgDir, { recursive: true, force: true });
  }
});

async function outage(ms: number): Promise<void> {
  if (pgDir) {
    const [cmd, ...args] = [...asPostgres(), pgCtl(), '-D', path.join(pgDir, 'pg', 'data'), 'restart', '-m', 'fast', '-w', '-t', '60'];
    execFileSync(cmd!, args, { stdio: 'ignore' });
    return;
  }
  await proxy.close();
  await new Promise((r) => setTimeout(r, ms));
  proxy = await startWsProxy({ databaseUrl: dbUrl, port: proxyPort });
}

/** The database is gone for `ms` (server stopped, or the proxy cut), then back. */
async function downFor(ms: number): Promise<void> {
  if (pgDir) {
    const data = path.join(pgDir, 'pg', 'data');
    const run = (args: string[]) => {
      const [cmd, ...rest] = [...asPostgres(), pgCtl(), '-D', data, ...args];
      execFileSync(cmd!, rest, { stdio: 'ignore' });
    };
    run(['stop', '-m', 'fast', '-w']);
    await new Promise((r) => setTimeout(r, ms));
    const port = new URL(dbUrl).port;
    run(['start', '-w', '-t', '60', '-l', path.join(pgDir, 'pg', 'restart.log'), '-o', `-p ${port} -k ${path.join(pgDir, 'pg')} -c listen_addresses=127.0.0.1`]);
    return;
  }
  await proxy.close();
  await new Promise((r) => setTimeout(r, ms));
  proxy = await startWsProxy({ databaseUrl: dbUrl, port: proxyPort });
}

async function post(key: string, idem: string, to: string, pdf: Uint8Array): Promise<Response | Error> {
  try {
    return await fetch(`${edge.url}/fax`, { method: 'POST', body: faxForm({ to, file: pdf }), headers: { authorization: `Bearer ${key}`, 'idempotency-key': idem } });
  } catch (err) {
    return err as Error;
  }
}

async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<T[]> {
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

describe('POST /fax while the database restarts', () => {
  it('answers 202 or 503, strands nothing and sends nothing twice', async () => {
    const keyRes = await fetch(`${edge.url}/admin/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_SECRETS.API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'fault burst', owner: `faults-${process.pid}-${Date.now().toString(36)}`, scopes: ['fax:send', 'fax:read'] }),
    });
    expect(keyRes.status).toBe(201);
    const key = (await keyRes.json()) as { token: string; owner: string };
    const pdf = await makePdf(1);
    const total = 48;
    const requests = Array.from({ length: total }, (_, i) => ({ idem: `fault-${i}`, to: `+1555555${String(2000 + i)}` }));
    const answers = new Map<string, { status: number; retryAfter: string | null; code?: string }>();

    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const r = requests[next++]!;
        const res = await post(key.token, r.idem, r.to, pdf);
        if (res instanceof Error) {
          answers.set(r.idem, { status: 0, retryAfter: null });
          continue;
        }
        const body = (await res.json().catch(() => ({}))) as { error?: { code: string } };
        answers.set(r.idem, { status: res.status, retryAfter: res.headers.get('retry-after'), code: body.error?.code });
        await new Promise((s) => setTimeout(s, 40));
      }
    };
    const faults = (async () => {
      for (let i = 0; i < 3; i++) {
        await new Promise((r) => setTimeout(r, 400));
        await outage(1500);
      }
    })();
    await Promise.all([worker(), worker(), worker(), worker(), faults]);
    const faultsEnded = Date.now();

    const refused = [...answers.entries()].filter(([, a]) => a.status !== 202);
    console.log(`database-faults: ${total - refused.length} accepted, ${refused.length} refused during the outages`);
    // The outages must have been felt, or this test proves nothing.
    expect(refused.length).toBeGreaterThan(0);
    for (const [idem, a] of refused) {
      expect(a.status, `${idem} answered ${a.status} ${a.code ?? ''}`).toBe(503);
      expect(a.retryAfter, `${idem}: 503 without Retry-After`).not.toBeNull();
      expect(['database_unavailable', 'storage_unavailable']).toContain(a.code);
    }
    expect(answers.size).toBe(total);

    // Retry every refused request with its key: a job it left behind is replayed, live.
    const leftBehind = new Map((await query<{ idempotency_key: string; id: string }>('select idempotency_key, id from fax_jobs where owner = $1', [key.owner])).map((r) => [r.idempotency_key, r.id]));
    for (const [idem] of refused) {
      const r = requests.find((x) => x.idem === idem)!;
      let res: Response | Error;
      const until = Date.now() + 30_000;
      do {
        res = await post(key.token, r.idem, r.to, pdf);
      } while ((res instanceof Error || res.status !== 202) && Date.now() < until && (await new Promise((s) => setTimeout(s, 200))) === undefined);
      expect(res instanceof Error ? String(res) : res.status).toBe(202);
      const job = (await (res as Response).json()) as { id: string; status: string };
      if (leftBehind.has(idem)) {
        expect(job.id, `${idem}: the retry must replay the job the refused request committed`).toBe(leftBehind.get(idem));
        expect((res as Response).headers.get('idempotent-replayed')).toBe('true');
      }
    }

    // Everything reaches a final state within 60 s of the faults ending (the sweep moves on
    // whatever the faults stranded).
    const deadline = faultsEnded + 60_000;
    let open: Array<{ id: string; status: string }> = [];
    do {
      open = await query('select id, status from fax_jobs where owner = $1 and status not in ($2, $3, $4, $5)', [key.owner, 'success', 'failed', 'canceled', 'unknown']);
      if (open.length) await new Promise((r) => setTimeout(r, 500));
    } while (open.length && Date.now() < deadline);
    expect(open, 'jobs left open after the faults').toEqual([]);

    const jobs = await query<{ idempotency_key: string; status: string; attempts: number }>('select idempotency_key, status, attempts from fax_jobs where owner = $1', [key.owner]);
    expect(jobs).toHaveLength(total);
    expect(new Set(jobs.map((j) => j.idempotency_key)).size).toBe(total);
    for (const j of jobs) {
      expect(j.status, j.idempotency_key).toBe('success');
      expect(j.attempts, `${j.idempotency_key} dialled ${j.attempts} times`).toBe(1);
    }
    const doubles = await query<{ job_id: string }>('select a.job_id from fax_attempts a join fax_jobs j on j.id = a.job_id where j.owner = $1 and a.result = $2 group by a.job_id having count(*) > 1', [key.owner, 'success']);
    expect(doubles).toEqual([]);
  }, 240_000);

  it('moves jobs stranded by a 25 s outage on within 60 s of the database coming back', async () => {
    const keyRes = await fetch(`${edge.url}/admin/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_SECRETS.API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'long outage', owner: `outage-${process.pid}-${Date.now().toString(36)}`, scopes: ['fax:send', 'fax:read'] }),
    });
    const key = (await keyRes.json()) as { token: string; owner: string };
    const pdf = await makePdf(1);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await post(key.token, `outage-${i}`, `+1555555${3000 + i}`, pdf);
      expect(res instanceof Error ? String(res) : res.status).toBe(202);
      ids.push(((await (res as Response).json()) as { id: string }).id);
    }
    // Right after the accepts: the sweep's hand-offs and results all fail for 25 s.
    await downFor(25_000);
    const back = Date.now();
    let open: unknown[] = [];
    do {
      open = await query('select id, status from fax_jobs where id = any($1) and status not in ($2, $3, $4, $5)', [ids, 'success', 'failed', 'canceled', 'unknown']);
      if (open.length) await new Promise((r) => setTimeout(r, 500));
    } while (open.length && Date.now() < back + 60_000);
    expect(open, 'jobs still open 60 s after the outage').toEqual([]);
    const jobs = await query<{ status: string; attempts: number }>('select status, attempts from fax_jobs where id = any($1)', [ids]);
    expect(jobs.map((j) => [j.status, j.attempts])).toEqual(ids.map(() => ['success', 1]));
  }, 180_000);
});

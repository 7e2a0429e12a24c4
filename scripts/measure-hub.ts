// `node scripts/measure-hub.ts`: what one idle, connected agent costs the database. Starts the
// worker in `wrangler dev` (FAX_BACKEND=sip) behind an observing WebSocket proxy, connects one agent
// (hello, heartbeat pings, no jobs) and counts, over MEASURE_PERIODS alarm periods, the connections
// the agent's AgentHub opens and the statements it sends (the proxy sees each connection's
// application_name). MEASURE_DATABASE_URL uses a real PostgreSQL server (then pg_stat_database is
// read too, for the whole database); embedded PGlite otherwise. AGENT_HEARTBEAT_SECONDS sets the
// alarm period (default 15, the production default).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import WebSocket from 'ws';
import { encodeMessage, HEARTBEAT_PING } from '../shared/agent-protocol.ts';
import { freePort } from './stack/embedded-postgres.ts';
import { startLocalStack } from './stack/local-stack.ts';
import { startWorkerProcess } from './stack/worker-process.ts';
import { startWsProxy, type ObservedStatement } from './stack/ws-proxy.ts';
import { benchWorkerVars } from './bench/worker-vars.ts';

const PERIODS = Number(process.env.MEASURE_PERIODS ?? 4);
const HEARTBEAT_S = Number(process.env.AGENT_HEARTBEAT_SECONDS ?? 15);
/** The connected hub's alarm period: min(heartbeat, offer timeout); the offer timeout stays at its 30 s default. */
const PERIOD_MS = Math.min(HEARTBEAT_S, 30) * 1000;
const ADMIN = 'measure-admin-key-0123456789abcdef0123456789';
const HUB = 'faxbot-agent-hub';
/** Every hub alarm checks the agent's token(s) once; nothing else the idle hub sends names agent_tokens. */
const isAlarmMarker = (s: ObservedStatement) => s.application === HUB && s.sql.includes('agent_tokens');

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'faxbot-measure-'));
  const realDb = process.env.MEASURE_DATABASE_URL;
  const stack = await startLocalStack({ dataDir: dir, databaseUrl: realDb, ephemeral: true });
  const u = new URL(stack.databaseUrl);
  const proxy = await startWsProxy({ databaseUrl: u.toString(), observe: true });
  const worker = await startWorkerProcess({
    port: await freePort(),
    portFactory: freePort,
    varsFile: path.join(dir, 'vars'),
    persistTo: path.join(dir, 'wrangler'),
    inheritOutput: !!process.env.MEASURE_WORKER_LOGS,
    vars: benchWorkerVars(stack.vars, ADMIN, {
      DATABASE_WS_PROXY: `127.0.0.1:${proxy.port}/v1`,
      FAX_BACKEND: 'sip',
      AGENT_HEARTBEAT_SECONDS: String(HEARTBEAT_S),
    }),
  });
  const pgClient = realDb ? new pg.Client({ connectionString: realDb }) : null;
  let ws: WebSocket | null = null;
  let pinger: NodeJS.Timeout | undefined;
  try {
    await pgClient?.connect();
    const res = await fetch(`${worker.url}/admin/agents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'idle agent', max_channels: 2, site: 'measure-idle' }),
    });
    if (res.status !== 201) throw new Error(`create agent: ${res.status} ${await res.text()}`);
    const agent = (await res.json()) as { token: string };
    ws = new WebSocket(`${worker.url.replace('http', 'ws')}/agent/connect`, { headers: { authorization: `Bearer ${agent.token}` } });
    await new Promise<void>((resolve, reject) => {
      ws!.once('open', () => resolve());
      ws!.once('error', reject);
    });
    let closed: number | null = null;
    ws.on('close', (code) => (closed = code));
    ws.send(encodeMessage({ type: 'hello', agentVersion: 'measure-1', capabilities: { maxChannels: 2, features: ['sendfax'] }, inFlight: [] }));
    // As the agent does: a heartbeat ping every heartbeat (answered without waking the hub).
    pinger = setInterval(() => ws?.readyState === WebSocket.OPEN && ws.send(HEARTBEAT_PING), HEARTBEAT_S * 1000);

    // The window starts half a period after the first alarm, so it holds exactly PERIODS alarms.
    const first = await waitFor(() => proxy.statements.find(isAlarmMarker), PERIOD_MS * 3 + 10_000, () => JSON.stringify(proxy.statements.slice(-10)));
    const start = first.at + PERIOD_MS / 2;
    const end = start + PERIODS * PERIOD_MS;
    await sleep(start - Date.now());
    const before = await dbStats(pgClient);
    await sleep(end - Date.now());
    const after = await dbStats(pgClient);
    if (closed !== null) throw new Error(`the agent's socket was closed (${closed}) during the measurement`);

    const inWindow = <T extends { at: number }>(xs: T[]) => xs.filter((x) => x.at >= start && x.at < end);
    const opened = inWindow(proxy.connections.map((c) => ({ ...c, at: c.openedAt })));
    const statements = inWindow(proxy.statements);
    const hubStatements = statements.filter((s) => s.application === HUB);
    const alarms = hubStatements.filter(isAlarmMarker).length;
    const result = {
      database: realDb ? 'postgresql' : 'pglite',
      heartbeat_s: HEARTBEAT_S,
      window_s: (end - start) / 1000,
      alarms,
      hub: {
        connections_opened: opened.filter((c) => c.application === HUB).length,
        statements: hubStatements.length,
        statements_per_alarm: alarms ? +(hubStatements.length / alarms).toFixed(2) : null,
        distinct_statements: [...new Set(hubStatements.map((s) => s.sql.slice(0, 90)))],
      },
      whole_worker: {
        connections_opened: opened.length,
        statements: statements.length,
        by_application: Object.fromEntries(
          [...new Set(statements.map((s) => s.application).concat(opened.map((c) => c.application)))].map((app) => [
            app || '(none)',
            { connections_opened: opened.filter((c) => c.application === app).length, statements: statements.filter((s) => s.application === app).length },
          ]),
        ),
      },
      ...(before && after
        ? {
            // Whole database; our own two reads add one transaction. Backends flush these counters
            // lazily (up to ~1 s late), so they can lag the proxy's counts slightly.
            pg_stat_database: { sessions: after.sessions - before.sessions, xact_commit: after.xact_commit - before.xact_commit - 1, numbackends_at_end: after.numbackends - 1 },
          }
        : {}),
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    clearInterval(pinger);
    ws?.close();
    await pgClient?.end().catch(() => {});
    await worker.stop();
    await proxy.close();
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function dbStats(client: pg.Client | null) {
  if (!client) return null;
  await client.query('select pg_stat_clear_snapshot()');
  const { rows } = await client.query<{ sessions: string; xact_commit: string; numbackends: number }>(
    'select sessions, xact_commit, numbackends from pg_stat_database where datname = current_database()',
  );
  return { sessions: Number(rows[0]!.sessions), xact_commit: Number(rows[0]!.xact_commit), numbackends: rows[0]!.numbackends };
}

async function waitFor<T>(fn: () => T | undefined, timeoutMs: number, seen: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`no hub alarm within ${timeoutMs} ms; last statements seen: ${seen()}`);
    await sleep(50);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

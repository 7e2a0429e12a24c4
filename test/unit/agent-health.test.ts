// Health and metrics endpoints of the agent, and the real process: `node agent/main.ts` with env connects,
// says hello, exits 0 on SIGTERM, and exits 1 with named problems on a bad configuration.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startAmiSimulator } from '../support/ami-simulator/index.ts';
import { FakeEdge } from '../agent/fake-edge.ts';
import { agentEnv, freePort, phiInLogs, startStack, TOKEN } from '../agent/harness.ts';
import type { Stack } from '../agent/harness.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

describe('agent health server', () => {
  it('GET /healthz is 200 with edge + AMI connected, 503 otherwise; GET /metrics has the Prometheus series', async () => {
    const port = await freePort();
    stack = await startStack({ env: { HEALTH_PORT: String(port) } });
    const { edge, sim, agent } = stack;
    expect(agent.healthPort).toBe(port);
    const base = `http://127.0.0.1:${port}`;
    const ok = await fetch(`${base}/healthz`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'ok', edge: 'connected', ami: 'connected', callsInFlight: 0, version: expect.any(String) });

    const offer = edge.offer();
    await edge.waitFor(() => edge.find('result', (m) => m.jobId === offer.jobId), 5000, 'result');
    const metrics = await (await fetch(`${base}/metrics`)).text();
    for (const line of [
      'faxbot_agent_edge_connected 1', 'faxbot_agent_ami_connected 1', 'faxbot_agent_calls_in_flight 0',
      'faxbot_agent_jobs_total{result="success"} 1', 'faxbot_agent_jobs_total{result="failed"} 0',
      'faxbot_agent_inbound_total{result="received"} 0', 'faxbot_agent_last_error_timestamp_seconds 0',
    ]) expect(metrics).toContain(line);
    expect(metrics).toMatch(/^# TYPE faxbot_agent_jobs_total counter$/m);
    expect(metrics).toMatch(/^faxbot_agent_info\{version="\d+\.\d+\.\d+"\} 1$/m);

    sim.refuseConnections(true);
    sim.dropConnections();
    await edge.waitFor(() => !agent.metrics.amiConnected);
    const down = await fetch(`${base}/healthz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: 'unavailable', edge: 'connected', ami: 'disconnected' });
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    expect((await fetch(`${base}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  it('starts while Asterisk is down: connects to the edge, reports 503, then logs in to AMI once it is up', async () => {
    const port = await freePort();
    stack = await startStack({ env: { HEALTH_PORT: String(port) }, noWait: true, beforeStart: async (_s, _e, sim) => sim.refuseConnections(true) });
    const { edge, sim, agent } = stack;
    await edge.waitFor(() => edge.find('hello'), 5000, 'hello');
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(503);
    sim.refuseConnections(false);
    await edge.waitFor(() => agent.metrics.amiConnected, 5000, 'AMI login');
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });

  it('an error log line sets faxbot_agent_last_error_timestamp_seconds', async () => {
    stack = await startStack({ edgeTokens: [], noWait: true });
    await stack.edge.waitFor(() => stack!.agent.metrics.lastErrorAt > 0, 5000, 'error metric');
    expect(stack.agent.metrics.render()).toMatch(/^faxbot_agent_last_error_timestamp_seconds [1-9]\d+$/m);
  });
});

describe('agent process', () => {
  it('node agent/main.ts connects, and exits 0 on SIGTERM after a graceful shutdown', async () => {
    const spool = await mkdtemp(path.join(os.tmpdir(), 'faxbot-agent-proc-'));
    const sim = await startAmiSimulator({ timeScale: 0.001 });
    const edge = await FakeEdge.start({ tokens: [TOKEN] });
    try {
      const env = { PATH: process.env.PATH ?? '', ...agentEnv(edge, sim, spool, { LOG_LEVEL: 'info', HEALTH_PORT: String(await freePort()) }) };
      const child = spawn(process.execPath, ['agent/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await edge.waitFor(() => edge.find('hello'), 10_000, 'hello from the process');
      await edge.waitFor(() => out.includes('AMI connected'), 5000, 'AMI login');
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const lines = out.trim().split('\n');
      expect(lines.every((l) => l.startsWith('{'))).toBe(true);
      expect(lines.some((l) => l.includes('"agent stopped"'))).toBe(true);
      expect(edge.current?.closed).toBe(true);
      expect(phiInLogs(lines)).toEqual([]);
    } finally {
      await edge.close();
      await sim.close();
      await rm(spool, { recursive: true, force: true });
    }
  }, 20_000);

  it('exits 1 and names the variables on an invalid configuration', async () => {
    const child = spawn(process.execPath, ['agent/main.ts'], {
      cwd: ROOT, env: { PATH: process.env.PATH ?? '', EDGE_URL: 'http://edge.example', AGENT_TOKEN: 'fba_nope' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    for (const name of ['EDGE_URL', 'AGENT_TOKEN', 'AMI_USERNAME', 'AMI_SECRET', 'AMI_CHANNEL_TEMPLATE', 'SPOOL_DIR']) expect(err).toContain(`${name}:`);
    expect(err).not.toContain('fba_nope');
  }, 20_000);
});

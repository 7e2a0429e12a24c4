// Runs the built agent image against the test fake edge and the AMI simulator (both on the host) and checks
// what only a running container shows: the agent boots from the image's own node_modules (ws, zod), connects
// to both, its HEALTHCHECK passes, an outbound fax goes through (download, Ghostscript PDF -> TIFF-F, tiffinfo
// page count, Originate, result), an inbound fax is converted with tiff2pdf and uploaded, logs carry no
// number or secret, and SIGTERM stops it with exit code 0.
// Usage (from .ci/agent-image.sh, as root): node .ci/agent-image-smoke.ts <image> <engine> [engine options...]
// e.g. `node .ci/agent-image-smoke.ts localhost/faxbot-agent:ci podman --runtime runc`. Extra `run` options
// (ulimits) come from AGENT_RUN_OPTS. The container uses the host's network; the spool is bind-mounted at the
// same path on both sides, as the simulator (standing in for Asterisk) writes received faxes into it.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { FakeEdge } from '../test/agent/fake-edge.ts';
import { agentEnv, freePort, phiInLogs, TOKEN } from '../test/agent/harness.ts';
import { startAmiSimulator } from '../test/support/ami-simulator/index.ts';

const [image, ...engine] = process.argv.slice(2);
if (!image || engine.length === 0) {
  console.error('usage: node .ci/agent-image-smoke.ts <image> <engine> [engine options...]');
  process.exit(2);
}
const runOpts = (process.env.AGENT_RUN_OPTS ?? '').split(/\s+/).filter(Boolean);
const name = `faxbot-agent-smoke-${process.pid}`;
const FAXBOT_UID = 10001;

function step(what: string): void {
  console.log(`   - ${what}`);
}
function engineRun(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(engine[0]!, [...engine.slice(1), ...args], { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

const spool = mkdtempSync('/tmp/faxbot-image-spool.');
const incoming = path.join(spool, 'incoming');
mkdirSync(incoming);
for (const [dir, mode] of [[spool, 0o750], [incoming, 0o2770]] as const) {
  chownSync(dir, FAXBOT_UID, FAXBOT_UID);
  chmodSync(dir, mode);
}
const sim = await startAmiSimulator({ port: await freePort(), timeScale: 0.05, spoolDir: incoming });
const edge = await FakeEdge.start({ tokens: [TOKEN] });
const healthPort = await freePort();
let logs = '';
let failed = false;
try {
  const env = agentEnv(edge, sim, spool, { LOG_LEVEL: 'info', HEALTH_PORT: String(healthPort) });
  const child = spawn(engine[0]!, [
    ...engine.slice(1), 'run', '--rm', '--name', name, '--network', 'host', ...runOpts,
    '-v', `${spool}:${spool}`, ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]), image,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d: Buffer) => (logs += d.toString()));
  child.stderr.on('data', (d: Buffer) => (logs += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  const alive = (): void => {
    if (gone) throw new Error('the container exited early');
  };

  await edge.waitFor(() => (alive(), edge.find('hello')), 60_000, 'hello from the agent in the container');
  await edge.waitFor(() => (alive(), logs.includes('AMI connected')), 15_000, 'AMI login');
  step('the agent in the container connected to the edge (WebSocket, ws) and logged in to AMI');

  const health = await fetch(`http://127.0.0.1:${healthPort}/healthz`);
  const body = (await health.json()) as { status: string; version: string };
  if (health.status !== 200 || body.status !== 'ok') throw new Error(`/healthz: ${health.status} ${JSON.stringify(body)}`);
  if (engine[0]!.endsWith('podman')) {
    const hc = engineRun(['healthcheck', 'run', name]);
    if (hc.status !== 0) throw new Error(`the image's HEALTHCHECK failed (${hc.status}): ${hc.out}`);
    step(`GET /healthz is 200 (version ${body.version}) and the image's HEALTHCHECK passes`);
  } else step(`GET /healthz is 200 (version ${body.version})`);

  const offer = edge.offer();
  const result = await edge.waitFor(() => (alive(), edge.find('result', (m) => m.jobId === offer.jobId)), 30_000, 'the outbound result');
  if (result.status !== 'success') throw new Error(`outbound result: ${JSON.stringify(result)}`);
  // The page count of the converted TIFF comes with the grant request (`dialing`) and with `transmitting`.
  const transmitting = edge.find('progress', (m) => m.jobId === offer.jobId && m.stage === 'transmitting');
  if (transmitting?.pages !== 2) throw new Error(`the 2-page PDF became ${transmitting?.pages} TIFF page(s)`);
  step("outbound fax: PDF downloaded, converted by the agent's pre-started Ghostscript (2 TIFF pages), dialled, result success");

  await sim.simulateInboundFax({ from: '+15555550100', to: '+15555550123', pages: 1, durationMs: 200 });
  await edge.waitFor(() => (alive(), edge.find('inbound_notice', (m) => m.stage === 'uploaded')), 30_000, 'the inbound upload');
  const upload = edge.uploads.at(-1)!;
  if (upload.status !== 201 || new TextDecoder().decode(upload.file.slice(0, 5)) !== '%PDF-') throw new Error(`inbound upload: status ${upload.status}`);
  step('inbound fax: TIFF converted by tiff2pdf and uploaded as a PDF');

  const stop = engineRun(['stop', '-t', '30', name]);
  if (stop.status !== 0) throw new Error(`stop: ${stop.out}`);
  const code = await exited;
  if (code !== 0) throw new Error(`the agent exited with ${code} after SIGTERM`);
  const lines = logs.trim().split('\n');
  if (!lines.some((l) => l.includes('"agent stopped"'))) throw new Error('no "agent stopped" log line');
  const phi = phiInLogs(lines);
  if (phi.length > 0) throw new Error(`numbers or secrets in the logs: ${JSON.stringify(phi)}`);
  step('SIGTERM: graceful stop, exit code 0; no numbers or secrets in the logs');
} catch (err) {
  failed = true;
  console.error(`agent image smoke test failed: ${err instanceof Error ? err.message : String(err)}`);
  console.error(`container output:\n${logs}`);
} finally {
  engineRun(['rm', '-f', '-t', '0', name]);
  await edge.close();
  await sim.close();
  rmSync(spool, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);

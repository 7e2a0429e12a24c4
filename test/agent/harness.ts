// Starts the agent in-process against a fake edge and the AMI simulator (fast time), with a temp spool,
// captured log lines and short backoffs; `stop()` shuts everything down and removes the spool.
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadAgentConfig } from '../../agent/config.ts';
import type { AgentConfig } from '../../agent/config.ts';
import { createLogger } from '../../agent/logger.ts';
import { startAgent } from '../../agent/main.ts';
import type { AgentOptions, RunningAgent } from '../../agent/main.ts';
import { startAmiSimulator } from '../support/ami-simulator/index.ts';
import type { AmiSimulator, Scenario, ScenarioChooser } from '../support/ami-simulator/index.ts';
import { scanForPhi } from '../support/phi-scan.ts';
import { FakeEdge } from './fake-edge.ts';

export const TOKEN = `fba_abcdefgh12345678_${'A'.repeat(43)}`;
export const NEW_TOKEN = `fba_abcdefgh12345678_${'B'.repeat(43)}`;

export interface StackOptions {
  /** Extra agent env; a function gets the spool directory (e.g. for AGENT_TOKEN_FILE). */
  env?: Record<string, string> | ((spool: string) => Record<string, string>);
  scenario?: Scenario | ScenarioChooser;
  heartbeatSeconds?: number;
  edgeTokens?: string[];
  /** Runs before the agent starts (e.g. to seed the spool). */
  beforeStart?: (spool: string, edge: FakeEdge, sim: AmiSimulator) => Promise<void>;
  agentOptions?: AgentOptions;
  /** Do not wait for hello + AMI login. */
  noWait?: boolean;
}

export interface Stack {
  spool: string;
  sim: AmiSimulator;
  edge: FakeEdge;
  agent: RunningAgent;
  config: AgentConfig;
  logs: string[];
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

export function agentEnv(edge: FakeEdge, sim: AmiSimulator, spool: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    EDGE_URL: edge.url, AGENT_ALLOW_INSECURE_EDGE: 'true', AGENT_TOKEN: TOKEN, AMI_PORT: String(sim.port), AMI_USERNAME: 'faxbot',
    AMI_SECRET: 'faxbotsecret', AMI_CHANNEL_TEMPLATE: 'PJSIP/{number}@trunk', SPOOL_DIR: spool, HEALTH_PORT: '0',
    CALL_DEADLINE_SECONDS: '30', SHUTDOWN_TIMEOUT_SECONDS: '10', LOG_LEVEL: 'debug', ...extra,
  };
}

export const FAST: AgentOptions = {
  edgeBackoff: { baseMs: 20, capMs: 200 },
  amiBackoff: { baseMs: 20, capMs: 200 },
  inboundBackoff: { baseMs: 20, capMs: 100 },
  downloadBackoff: { baseMs: 10, capMs: 40 },
  callSettleMs: 30,
  resultFlushMs: 1000,
};

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const spool = await mkdtemp(path.join(os.tmpdir(), 'faxbot-agent-'));
  const sim = await startAmiSimulator({ timeScale: 0.001, spoolDir: path.join(spool, 'incoming'), scenario: opts.scenario ?? { kind: 'success', pages: 2, bitrate: 14400 } });
  const edge = await FakeEdge.start({ tokens: opts.edgeTokens ?? [TOKEN], heartbeatSeconds: opts.heartbeatSeconds });
  await opts.beforeStart?.(spool, edge, sim);
  const extra = typeof opts.env === 'function' ? opts.env(spool) : opts.env;
  const loaded = loadAgentConfig(agentEnv(edge, sim, spool, extra));
  if (!loaded.ok) throw new Error(`test config invalid: ${loaded.problems.join('; ')}`);
  const logs: string[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => logs.push(line) });
  const agent = await startAgent(loaded.config, { ...FAST, logger, ...opts.agentOptions });
  const stack: Stack = {
    spool, sim, edge, agent, config: loaded.config, logs,
    async stop() {
      await agent.shutdown('test end');
      await edge.close();
      await sim.close();
      await rm(spool, { recursive: true, force: true });
    },
  };
  if (!opts.noWait) {
    await edge.waitFor(() => edge.find('hello'), 5000, 'hello');
    await edge.waitFor(() => agent.metrics.amiConnected, 5000, 'AMI login');
  }
  return stack;
}

/** Log lines with a full test phone number, token or other secret (none allowed). */
export function phiInLogs(logs: string[]): Array<{ kind: string; line: number }> {
  return scanForPhi(logs, [TOKEN, NEW_TOKEN, 'faxbotsecret']);
}

// Entry point of the on-prem agent (`node agent/main.ts`): wires config, token store, journal, AMI, the edge
// WebSocket, outbound jobs, inbound uploads and the health server; SIGTERM/SIGINT shut down gracefully.
// `startAgent(config)` runs the same agent in-process (tests).
import { mkdir } from 'node:fs/promises';
import { realpathSync } from 'node:fs';
import { setTimeout as setTimeoutP } from 'node:timers/promises';
import { backoffDelay } from './ami/backoff.ts';
import type { BackoffOptions } from './ami/backoff.ts';
import { AmiClient } from './ami/client.ts';
import { AmiAuthError } from './ami/errors.ts';
import { loadAgentConfig } from './config.ts';
import type { AgentConfig } from './config.ts';
import { EdgeConnection } from './edge-connection.ts';
import type { EdgeEvent } from './edge-connection.ts';
import { startHealthServer } from './health-server.ts';
import type { HealthServer } from './health-server.ts';
import { InboundManager } from './inbound.ts';
import { JobRunner } from './job-runner.ts';
import { Journal } from './journal.ts';
import { createLogger, errorMessage, onErrors } from './logger.ts';
import type { Logger } from './logger.ts';
import { AgentMetrics } from './metrics.ts';
import { openTokenStore } from './token-store.ts';
import type { TokenStore } from './token-store.ts';
import { AGENT_VERSION } from './version.ts';
import { INLINE_DOCUMENT_FEATURE } from '../shared/agent-protocol.ts';

export type { AgentConfig } from './config.ts';

export const AGENT_FEATURES = ['outbound', 'inbound', 'revoke_offer', 'token_update', 'result_ack', INLINE_DOCUMENT_FEATURE];

export interface AgentOptions {
  /** Default: JSON lines on stdout at config.logLevel. */
  logger?: Logger;
  edgeBackoff?: BackoffOptions;
  amiBackoff?: BackoffOptions;
  inboundBackoff?: BackoffOptions;
  downloadBackoff?: BackoffOptions;
  /** How long a finished call waits for a late AMI event (default 3000 ms). */
  callSettleMs?: number;
  /** With AMI lost mid-call: how long until the outcome is declared unknown (default 25 s). */
  callLostMs?: number;
  /** How long shutdown waits for result_ack of the last results (default 10 s, within the shutdown timeout). */
  resultFlushMs?: number;
}

export interface RunningAgent {
  /** Port of the health server (undefined when HEALTH_PORT=0). */
  readonly healthPort: number | undefined;
  readonly metrics: AgentMetrics;
  /** Graceful stop: reject new offers, wait for jobs in flight (SHUTDOWN_TIMEOUT_SECONDS), flush results, close. */
  shutdown(reason?: string): Promise<void>;
}

export async function startAgent(config: AgentConfig, options: AgentOptions = {}): Promise<RunningAgent> {
  const metrics = new AgentMetrics();
  const log = onErrors(options.logger ?? createLogger({ level: config.logLevel }), () => {
    metrics.lastErrorAt = Date.now();
  });
  log.info('faxbot agent starting', {
    version: AGENT_VERSION, edge: new URL(config.edgeUrl).host, ami: `${config.ami.host}:${config.ami.port}`, maxChannels: config.maxChannels,
  });
  await mkdir(config.spoolDir, { recursive: true, mode: 0o750 });
  const tokens: TokenStore = await openTokenStore({ token: config.agentToken, tokenFile: config.agentTokenFile, logger: log });
  const journal = await Journal.open(config.spoolDir, log);

  const amiLog = log.child({ component: 'ami' });
  const ami = new AmiClient({
    ...config.ami,
    backoff: options.amiBackoff,
    logger: { info: (m) => amiLog.info(m), warn: (m) => amiLog.warn(m) },
  });
  ami.setMaxListeners(config.maxChannels * 2 + 10); // two listeners per call in flight, plus inbound
  ami.on('connected', () => (metrics.amiConnected = true));
  ami.on('disconnected', () => (metrics.amiConnected = false));

  const edge = new EdgeConnection({
    url: config.edgeWsUrl, token: () => tokens.current(), logger: log, userAgent: `faxbot-agent/${AGENT_VERSION}`, backoff: options.edgeBackoff,
  });
  const runner = new JobRunner({
    journal, ami, send: (m) => edge.send(m), logger: log, metrics, maxChannels: config.maxChannels, spoolDir: config.spoolDir,
    asteriskSpoolDir: config.asteriskSpoolDir, paperSize: config.faxPaperSize, downloadBackoff: options.downloadBackoff,
    dial: { channelTemplate: config.amiChannelTemplate, context: config.amiContext, deadlineMs: config.callDeadlineSeconds * 1000, settleMs: options.callSettleMs, lostMs: options.callLostMs },
  });
  await runner.recover();
  const inbound = new InboundManager({
    ami, spoolDir: config.spoolDir, asteriskSpoolDir: config.asteriskSpoolDir, edgeUrl: config.edgeUrl, token: () => tokens.current(),
    notify: (uniqueid, stage) => void edge.send({ type: 'inbound_notice', uniqueid: uniqueid.slice(0, 200), stage }),
    logger: log, metrics, backoff: options.inboundBackoff,
  });
  await inbound.start();

  let stopping = false;
  let skewMs = 0;
  let helloSent = false;
  edge.on('welcome', (w) => {
    skewMs = w.serverTime - Date.now();
    metrics.edgeConnected = true;
    const inFlight = journal.inFlight().slice(0, 1000);
    edge.send({ type: 'hello', agentVersion: AGENT_VERSION, capabilities: { maxChannels: config.maxChannels, features: AGENT_FEATURES }, inFlight });
    runner.afterHello();
    if (!helloSent) runner.resumeAccepted();
    helloSent = true;
  });
  edge.on('disconnected', () => (metrics.edgeConnected = false));
  edge.on('message', (msg) => {
    handleEdgeMessage(msg).catch((err: unknown) => log.error('edge message handling failed', { type: msg.type, error: errorMessage(err) }));
  });
  async function handleEdgeMessage(msg: EdgeEvent): Promise<void> {
    switch (msg.type) {
      case 'offer':
        return runner.handleOffer(msg, Date.now() + skewMs);
      case 'dial_ok':
        return runner.handleDialOk(msg);
      case 'revoke_offer':
        return runner.handleRevoke(msg);
      case 'result_ack':
        return runner.handleResultAck(msg);
      case 'token_update':
        try {
          await tokens.update(msg.token);
        } catch (err) {
          log.error('token update not stored: not acknowledged', { tokenId: msg.tokenId, error: errorMessage(err) });
          return;
        }
        edge.send({ type: 'token_ack', tokenId: msg.tokenId });
        log.info('agent token rotated', { tokenId: msg.tokenId, persisted: tokens.persistent });
    }
  }

  const health: HealthServer | undefined =
    config.healthPort === 0 ? undefined : await startHealthServer({ host: config.healthHost, port: config.healthPort, metrics, shuttingDown: () => stopping });

  // The AMI client reconnects by itself once connected; the first connection is retried here.
  const stopWaiting = new AbortController();
  const amiStartup = (async () => {
    for (let attempt = 0; !stopping; attempt++) {
      try {
        await ami.connect();
        return;
      } catch (err) {
        const detail = { error: errorMessage(err), attempt: attempt + 1 };
        if (err instanceof AmiAuthError) amiLog.error('AMI login refused: check AMI_USERNAME / AMI_SECRET', detail);
        else amiLog.warn('AMI not reachable yet', detail);
        await setTimeoutP(backoffDelay(attempt, options.amiBackoff), undefined, { signal: stopWaiting.signal }).catch(() => undefined);
      }
    }
  })();
  edge.start();

  let shutdownPromise: Promise<void> | undefined;
  const shutdown = (reason = 'requested'): Promise<void> =>
    (shutdownPromise ??= (async () => {
      stopping = true;
      runner.stopAccepting();
      runner.suspendUndialled(); // not dialled yet: kept as `accepted`, resumed (or revoked by the edge) next start
      log.info('shutting down: rejecting new offers, waiting for calls in flight', { reason, calls: runner.callsInFlight });
      const deadline = Date.now() + config.shutdownTimeoutSeconds * 1000;
      if (!(await within(runner.whenIdle(), deadline - Date.now()))) {
        log.warn('shutdown timeout: calls still up are left to Asterisk and reported with an unknown outcome on the next start', { calls: runner.callsInFlight });
      } else if (runner.pendingResults > 0 && edge.connected) {
        await within(runner.whenIdle(true), Math.min(options.resultFlushMs ?? 10_000, deadline - Date.now()));
      }
      stopWaiting.abort();
      await runner.close();
      await inbound.stop();
      await edge.stop();
      await ami.close();
      await amiStartup;
      await health?.close();
      log.info('agent stopped', { unacknowledgedResults: runner.pendingResults });
    })());

  return { healthPort: health?.port, metrics, shutdown };
}

/** True if `p` settled within `ms`. */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, ms))));
  const result = await Promise.race([p.then(() => true as const), timeout]);
  clearTimeout(timer);
  return result;
}

async function main(): Promise<void> {
  const loaded = loadAgentConfig(process.env);
  if (!loaded.ok) {
    process.stderr.write(`faxbot agent: invalid configuration\n${loaded.problems.map((p) => `  - ${p}\n`).join('')}`);
    process.exit(1);
  }
  const log = createLogger({ level: loaded.config.logLevel });
  process.on('unhandledRejection', (err) => log.error('unhandled rejection', { error: errorMessage(err) }));
  let agent: RunningAgent;
  try {
    agent = await startAgent(loaded.config, { logger: log });
  } catch (err) {
    log.error('agent failed to start', { error: errorMessage(err) });
    process.exit(1);
  }
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      log.warn('second signal: exiting without waiting', { signal });
      process.exit(1);
    }
    agent.shutdown(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        log.error('shutdown failed', { error: errorMessage(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

function isEntryPoint(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(import.meta.filename);
  } catch {
    return false;
  }
}

if (isEntryPoint()) await main();

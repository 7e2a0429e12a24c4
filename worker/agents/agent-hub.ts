// One Durable Object per agent: holds the agent's hibernatable WebSocket(s), tagged by token id,
// turns protocol messages into leases and lifecycle changes (services/sip-jobs.ts), offers queued jobs
// while the agent has free channels, and on an alarm detects dead sockets, expired offers, revoked
// tokens and agents that stay away (undialled jobs are re-offered, calls in progress end unknown).
import { DurableObject } from 'cloudflare:workers';
import { encodeMessage, HEARTBEAT_PING, HEARTBEAT_PONG, INLINE_DOCUMENT_FEATURE, parseAgentMessage, type AgentMessage, type EdgeMessageBody } from '../../shared/agent-protocol.ts';
import { loadConfig, type Config } from '../config.ts';
import { OBJECT_POOL_IDLE_MS, ObjectDatabase } from '../db/object-database.ts';
import type { Env } from '../env.ts';
import { log } from '../lib/log.ts';
import { AgentRepository } from '../services/agents.ts';
import { PostgresAuditLog } from '../services/audit-log.ts';
import { SipJobs } from '../services/sip-jobs.ts';
import { createLifecycle } from '../lifecycle/create-lifecycle.ts';
import { schedulerStub } from '../lifecycle/scheduler-stub.ts';
import { InlineDocuments } from './inline-documents.ts';
import { buildOffer } from './offer.ts';
import { failLost, forgetOrphans, reconcileInFlight } from './reconcile.ts';

interface SocketInfo {
  tokenId: string;
  connectedAt: number;
  lastMessageAt: number;
  helloed: boolean;
}

interface HubState {
  agentId: string;
  site: string | null;
  maxChannels: number;
  origin: string;
  /** The agent's hello listed INLINE_DOCUMENT_FEATURE: small documents go inside its offers. */
  inlineDocuments?: boolean;
}

export interface HubContext {
  config: Config;
  jobs: SipJobs;
  agents: AgentRepository;
  audit: PostgresAuditLog;
  state: HubState;
  send(ws: WebSocket, msg: EdgeMessageBody): void;
}

export class AgentHub extends DurableObject<Env> {
  /**
   * One database pool for the object's life (db/object-database.ts): messages, RPC calls and
   * alarms share its connection. It stays open across the alarm period (twice the heartbeat, at
   * least a minute), so an idle agent costs no new connection per alarm.
   */
  private readonly database: ObjectDatabase;
  /** Small new jobs' documents, sent inside their offer (memory only: a miss is a download). */
  private readonly inlineDocuments = new InlineDocuments();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(HEARTBEAT_PING, HEARTBEAT_PONG));
    const heartbeatMs = loadConfig(env).agents.heartbeatSeconds * 1000;
    this.database = new ObjectDatabase((p) => ctx.waitUntil(p), { application: 'faxbot-agent-hub', idleTimeoutMs: Math.max(OBJECT_POOL_IDLE_MS, 2 * heartbeatMs) });
  }

  /** Upgrade, called by /agent/connect after the token was verified. */
  override async fetch(request: Request): Promise<Response> {
    const agentId = request.headers.get('x-faxbot-agent-id');
    const tokenId = request.headers.get('x-faxbot-token-id');
    if (!agentId || !tokenId || request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
      return new Response('bad hub request', { status: 400 });
    }
    const prev = await this.ctx.storage.get<HubState>('state');
    const state: HubState = {
      agentId,
      site: prev?.site ?? null,
      maxChannels: prev?.maxChannels ?? 1,
      inlineDocuments: prev?.inlineDocuments ?? false,
      origin: request.headers.get('x-faxbot-origin') ?? prev?.origin ?? '',
    };
    await this.ctx.storage.put('state', state);
    await this.ctx.storage.delete('disconnectedSince');
    const pair = new WebSocketPair();
    const [client, server] = [pair[0], pair[1]];
    this.ctx.acceptWebSocket(server, [`token:${tokenId}`]);
    const now = Date.now();
    server.serializeAttachment({ tokenId, connectedAt: now, lastMessageAt: now, helloed: false } satisfies SocketInfo);
    const config = loadConfig(this.env);
    this.send(server, { type: 'welcome', agentId, heartbeatSeconds: config.agents.heartbeatSeconds, serverTime: now });
    await this.scheduleAlarm(config.agents.heartbeatSeconds * 1000);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const info = ws.deserializeAttachment() as SocketInfo;
    const parsed = parseAgentMessage(raw);
    if (!parsed.ok) {
      this.send(ws, { type: 'error', code: 'invalid_message', message: parsed.error.slice(0, 300) });
      return;
    }
    ws.serializeAttachment({ ...info, lastMessageAt: Date.now(), helloed: info.helloed || parsed.message.type === 'hello' });
    if (informational(parsed.message)) return; // no state, no database: answered by being received
    try {
      await this.withContext((hub) => this.handle(hub, ws, parsed.message));
    } catch (err) {
      // The durable state is unchanged or already consistent; a reconnect makes the agent resend
      // its dial requests and results (hello.inFlight), which are idempotent here.
      log('error', 'agent message failed; asking the agent to reconnect', { type: parsed.message.type, error: (err as Error).name });
      try {
        ws.close(4003, 'edge error; reconnect');
      } catch {
        // already closed
      }
    }
  }

  private async handle(hub: HubContext, ws: WebSocket, msg: AgentMessage): Promise<void> {
    const { agentId } = hub.state;
    switch (msg.type) {
      case 'hello': {
        const agent = await hub.agents.findById(agentId);
        hub.state.site = agent?.site ?? null;
        hub.state.maxChannels = Math.min(agent?.maxChannels ?? 1, msg.capabilities.maxChannels);
        hub.state.inlineDocuments = msg.capabilities.features.includes(INLINE_DOCUMENT_FEATURE);
        await this.ctx.storage.put('state', hub.state);
        await hub.agents.setPresence(agentId, { connected: true, version: msg.agentVersion });
        await reconcileInFlight(hub, ws, msg.inFlight);
        await forgetOrphans(hub, msg.inFlight.map((j) => j.jobId), (ws.deserializeAttachment() as SocketInfo).connectedAt);
        await this.dispatch(hub);
        return;
      }
      case 'accept':
        if (!(await hub.jobs.accept(msg.jobId, msg.offerId, agentId))) this.send(ws, { type: 'revoke_offer', jobId: msg.jobId, offerId: msg.offerId });
        return;
      case 'reject':
        if (await hub.jobs.release(msg.jobId, msg.offerId)) await kickOthers(this.env, hub).catch(() => {});
        await hub.audit.record({ actorType: 'agent', actorId: agentId, action: 'fax.offer.reject', resourceType: 'fax_job', resourceId: msg.jobId, outcome: 'failure', details: { reason: msg.reason.slice(0, 60) } });
        return;
      case 'progress': {
        if (msg.stage !== 'dialing') return; // informational(): not handed here
        const grant = await hub.jobs.grantDial(msg.jobId, msg.offerId, agentId);
        if (grant === 'granted') return this.send(ws, { type: 'dial_ok', jobId: msg.jobId, offerId: msg.offerId });
        // Another call to this number is in flight: the job goes back to wait its turn.
        if (grant === 'destination_busy') await hub.jobs.release(msg.jobId, msg.offerId);
        this.send(ws, { type: 'revoke_offer', jobId: msg.jobId, offerId: msg.offerId });
        return;
      }
      case 'result': {
        const { v: _v, type: _t, jobId, offerId, ...result } = msg;
        // The lifecycle records the change with its audit and event (or ignores a stale result).
        const done = await hub.jobs.complete(jobId, offerId, agentId, result);
        // A retry waits in the queue: make sure the sweep comes back for it on time. Any change also
        // has an outbox event for the owner's webhooks: the scheduler fans it out now.
        if (done) await schedulerStub(this.env).kick().catch(() => {});
        // Acknowledge either way: a result the edge cannot apply (job canceled, lease lost) is final too.
        this.send(ws, { type: 'result_ack', jobId, offerId });
        await this.dispatch(hub);
        return;
      }
      case 'token_ack':
        await hub.agents.markDelivered(msg.tokenId);
        await hub.audit.record({ actorType: 'agent', actorId: agentId, action: 'agent.token.delivered', resourceType: 'agent_token', resourceId: msg.tokenId, outcome: 'success' });
        return;
      case 'ping':
        this.send(ws, { type: 'pong', ts: msg.ts });
        return;
      case 'inbound_notice':
      case 'pong':
        return;
    }
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, 'closing');
    } catch {
      // already closed
    }
    await this.afterSocketLoss(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.afterSocketLoss(ws);
  }

  private async afterSocketLoss(gone: WebSocket): Promise<void> {
    if (this.liveSockets().some((ws) => ws !== gone)) return;
    await this.ctx.storage.put('disconnectedSince', Date.now());
    const config = loadConfig(this.env);
    await this.scheduleAlarm(Math.min(config.agents.reconnectGraceMs, 5000));
  }

  private dispatching: Promise<void> = Promise.resolve();

  /** Offers queued jobs while the agent has free channels; one dispatch at a time per hub. */
  private dispatch(hub: HubContext): Promise<void> {
    const run = this.dispatching.then(() => this.dispatchNow(hub));
    this.dispatching = run.catch(() => undefined);
    return run;
  }

  private async dispatchNow(hub: HubContext): Promise<void> {
    const target = this.liveSockets()
      .filter((ws) => (ws.deserializeAttachment() as SocketInfo).helloed)
      .sort((a, b) => (b.deserializeAttachment() as SocketInfo).connectedAt - (a.deserializeAttachment() as SocketInfo).connectedAt)[0];
    if (!target) return;
    // Each claim checks the agent's free channels itself: an idle agent costs one statement here.
    for (;;) {
      const job = await hub.jobs.claimNext(hub.state.agentId, hub.state.site, hub.config.agents.offerTimeoutMs, hub.state.maxChannels);
      if (!job) break;
      this.send(target, await buildOffer(hub, job, await this.inlineDocument(hub, job.id)));
    }
  }

  /**
   * The document to send inside the offer of `jobId`, if this hub holds it and the agent takes it.
   * Its read is audited first, as GET /fax/:id/pdf does (no read without its row); if the audit
   * cannot be written, the offer goes with its link only.
   */
  private async inlineDocument(hub: HubContext, jobId: string): Promise<string | undefined> {
    const document = hub.state.inlineDocuments ? this.inlineDocuments.take(jobId) : undefined;
    if (!document) return undefined;
    try {
      await hub.audit.record({ actorType: 'agent', actorId: hub.state.agentId, action: 'fax.document.read', resourceType: 'fax_job', resourceId: jobId, outcome: 'success', details: { via: 'offer' } });
      return document;
    } catch {
      return undefined;
    }
  }

  /**
   * RPC: new work may be waiting (a job was queued, released or the agent freed a channel). A new
   * job's request may hand over its document, to be sent inside the offer if this hub leases it.
   */
  async kick(document?: { jobId: string; bytes: Uint8Array }): Promise<void> {
    if (this.liveSockets().length === 0) return;
    if (document) this.inlineDocuments.remember(document.jobId, document.bytes);
    await this.withContext((hub) => this.dispatch(hub));
  }

  /** RPC: a job was canceled before dialling: tell the agent to drop it. */
  async revokeOffer(jobId: string, offerId: string): Promise<void> {
    for (const ws of this.liveSockets()) this.send(ws, { type: 'revoke_offer', jobId, offerId });
  }

  /** RPC: deliver a new token over the live connection(s). Returns how many sockets got it. */
  async pushToken(tokenId: string, token: string, previousValidUntil: number | null): Promise<number> {
    const sockets = this.liveSockets();
    for (const ws of sockets) this.send(ws, { type: 'token_update', tokenId, token, previousValidUntil });
    return sockets.length;
  }

  /** RPC: a token was revoked: close every connection that authenticated with it. */
  async closeToken(tokenId: string): Promise<number> {
    const sockets = this.ctx.getWebSockets(`token:${tokenId}`);
    for (const ws of sockets) {
      try {
        ws.close(4001, 'token revoked');
      } catch {
        // already closing
      }
    }
    if (sockets.length) await this.afterSocketLoss(sockets[0]!);
    return sockets.length;
  }

  /** RPC: whether the agent has a live connection right now. */
  async online(): Promise<boolean> {
    return this.liveSockets().length > 0;
  }

  override async alarm(): Promise<void> {
    const config = loadConfig(this.env);
    const hb = config.agents.heartbeatSeconds * 1000;
    // Safety net first: if anything below throws (database down), the next alarm still comes.
    await this.ctx.storage.setAlarm(Date.now() + Math.max(hb, 5000));
    this.inlineDocuments.expire();
    let next: number | null | undefined;
    try {
      next = await this.alarmWork(config, hb);
    } catch (err) {
      // The safety-net alarm above brings it back. Not rethrown: the runtime would print the error in
      // full, and a failed query's message quotes its SQL and parameters (no PHI in logs).
      log('warn', 'agent hub alarm failed; retrying', { error: (err as Error).name });
      return;
    }
    if (next === undefined) return;
    if (next === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Math.max(next, Date.now() + 50));
  }

  /** The alarm's checks and clean-up; the next alarm's time (null: none needed; undefined: no hub state). */
  private alarmWork(config: ReturnType<typeof loadConfig>, hb: number): Promise<number | null | undefined> {
    return this.withContext(async (hub): Promise<number | null> => {
      const now = Date.now();
      const live: Array<{ ws: WebSocket; tokenId: string }> = [];
      for (const ws of this.liveSockets()) {
        const info = ws.deserializeAttachment() as SocketInfo;
        const last = Math.max(info.lastMessageAt, this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0);
        if (now - last > 3 * hb) close(ws, 4002, 'heartbeat timeout');
        else live.push({ ws, tokenId: info.tokenId });
      }
      if (live.length > 0) {
        // One statement: the tokens of the live sockets, and this agent's offers that expired unanswered.
        const { validTokens, released } = await hub.jobs.heartbeat(hub.state.agentId, [...new Set(live.map((l) => l.tokenId))]);
        for (const l of live) if (!validTokens.has(l.tokenId)) close(l.ws, 4001, 'token no longer valid');
        if (released) await kickOthers(this.env, hub);
      }
      if (this.liveSockets().length > 0) {
        await this.ctx.storage.delete('disconnectedSince');
        await this.dispatch(hub);
        return now + Math.min(hb, config.agents.offerTimeoutMs);
      }
      let since = await this.ctx.storage.get<number>('disconnectedSince');
      if (since === undefined) {
        since = now;
        await this.ctx.storage.put('disconnectedSince', since);
      }
      const { reconnectGraceMs, lostCallMs } = config.agents;
      if (now - since < reconnectGraceMs) return since + reconnectGraceMs;
      await hub.agents.setPresence(hub.state.agentId, { connected: false });
      const released = await hub.jobs.releaseQueued(hub.state.agentId);
      if (released) await kickOthers(this.env, hub);
      if (now - since >= lostCallMs) {
        const failed = await failLost(hub);
        if (released || failed) log('warn', 'agent offline', { agent_id: hub.state.agentId, released, failed });
        return null;
      }
      const calls = (await hub.jobs.openJobs(hub.state.agentId)).filter((j) => j.status === 'in_progress').length;
      return calls > 0 ? since + lostCallMs : null;
    });
  }

  private liveSockets(): WebSocket[] {
    return this.ctx.getWebSockets().filter((ws) => ws.readyState === WebSocket.OPEN);
  }

  private send(ws: WebSocket, msg: EdgeMessageBody): void {
    try {
      ws.send(encodeMessage(msg));
    } catch {
      // socket went away; the alarm and reconciliation recover
    }
  }

  private async scheduleAlarm(inMs: number): Promise<void> {
    const at = Date.now() + Math.max(50, inMs);
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  private async withContext<T>(fn: (hub: HubContext) => Promise<T>): Promise<T | undefined> {
    const state = await this.ctx.storage.get<HubState>('state');
    if (!state) return undefined;
    const config = loadConfig(this.env);
    if (!config.databaseUrl) throw new Error('DATABASE_URL is not configured');
    return this.database.use(config.databaseUrl, config.databaseWsProxy, (db) =>
      fn({ config, state, jobs: new SipJobs(db, createLifecycle(db, config)), agents: new AgentRepository(db), audit: new PostgresAuditLog(db), send: (ws, m) => this.send(ws, m) }),
    );
  }
}

/** Messages the edge only notes as a sign of life (progress short of the dial request, notices, pongs). */
function informational(msg: AgentMessage): boolean {
  return (msg.type === 'progress' && msg.stage !== 'dialing') || msg.type === 'inbound_notice' || msg.type === 'pong';
}

function close(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason);
  } catch {
    // already closed
  }
}

/** Released jobs may suit another agent: poke the hubs of connected agents with free channels. */
export async function kickOthers(env: Env, hub: Pick<HubContext, 'agents' | 'state'>): Promise<void> {
  const candidates = await hub.agents.candidates(null);
  await Promise.all(
    candidates.filter((c) => c.id !== hub.state.agentId).slice(0, 5).map((c) => env.AGENT_HUB.get(env.AGENT_HUB.idFromName(c.id)).kick().catch(() => {})),
  );
}

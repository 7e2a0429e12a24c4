// The agent <-> edge WebSocket protocol, defined once and validated on both ends with zod, and the
// fields of the agent's inbound upload. Every message is JSON `{ v: 1, type, ... }`. See
// docs/agent-protocol.md for the flows (test/unit/docs-agent-protocol.test.ts holds it to this file).
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;

/** The largest document an offer carries inline (bytes of PDF), and its base64 length. */
export const INLINE_DOCUMENT_MAX_BYTES = 256 * 1024;
export const INLINE_DOCUMENT_MAX_BASE64 = 4 * Math.ceil(INLINE_DOCUMENT_MAX_BYTES / 3);
/** The `hello` feature by which an agent asks for documents inside its offers. */
export const INLINE_DOCUMENT_FEATURE = 'inline_document';

const jobId = z.string().regex(/^fax_[a-z0-9]{24}$/);
const offerId = z.string().regex(/^off_[a-z0-9]{20}$/);
const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/);
const shortText = z.string().max(200);

export const FAILURE_REASONS = [
  'busy', 'no_answer', 'congestion', 'rejected', 'invalid_number', 'fax_error', 'call_dropped', 'timeout', 'failed',
  'conversion_failed', 'download_failed', 'agent_lost_during_call', 'ami_lost_during_call',
] as const;

/** What the agent knows about a job it holds, sent in `hello` so the edge can reconcile after reconnects. */
export const inFlightJob = z.object({
  jobId,
  offerId,
  /** accepted: not dialled yet; dialing: Originate sent (never re-dial); done: result known, not yet acknowledged. */
  state: z.enum(['accepted', 'dialing', 'done']),
  result: z.lazy(() => jobResultFields).optional(),
});

const jobResultFields = z.object({
  status: z.enum(['success', 'failed']),
  reason: z.enum(FAILURE_REASONS).optional(),
  faxError: shortText.optional(),
  pages: z.number().int().min(0).max(10_000).optional(),
  bitrate: z.number().int().min(0).max(100_000).optional(),
  remoteStationId: shortText.optional(),
  /** Whether the call used T.38 (the dialplan's FAXMODE), when known. */
  t38: z.boolean().optional(),
  uniqueid: shortText.optional(),
});

const base = { v: z.literal(PROTOCOL_VERSION) };

// ---- agent -> edge ----
export const agentMessage = z.discriminatedUnion('type', [
  z.object({
    ...base,
    type: z.literal('hello'),
    agentVersion: z.string().max(50),
    capabilities: z.object({ maxChannels: z.number().int().min(1).max(1000), features: z.array(z.string().max(50)).max(50) }),
    inFlight: z.array(inFlightJob).max(1000),
  }),
  z.object({ ...base, type: z.literal('accept'), jobId, offerId }),
  z.object({ ...base, type: z.literal('reject'), jobId, offerId, reason: shortText }),
  z.object({
    ...base,
    type: z.literal('progress'),
    jobId,
    offerId,
    stage: z.enum(['downloading', 'converting', 'dialing', 'transmitting']),
    pages: z.number().int().min(0).max(10_000).optional(),
  }),
  z.object({ ...base, type: z.literal('result'), jobId, offerId, ...jobResultFields.shape }),
  z.object({ ...base, type: z.literal('inbound_notice'), uniqueid: shortText, stage: z.enum(['received', 'uploaded', 'failed']) }),
  z.object({ ...base, type: z.literal('token_ack'), tokenId: z.string().max(40) }),
  z.object({ ...base, type: z.literal('ping'), ts: z.number().optional() }),
  z.object({ ...base, type: z.literal('pong'), ts: z.number().optional() }),
]);

/**
 * Heartbeat frames. The edge answers HEARTBEAT_PING with HEARTBEAT_PONG without waking its Durable
 * Object (WebSocket auto-response), so these exact strings are part of the protocol.
 */
export const HEARTBEAT_PING = '{"v":1,"type":"ping"}';
export const HEARTBEAT_PONG = '{"v":1,"type":"pong"}';

// ---- edge -> agent ----
export const edgeMessage = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('welcome'), agentId: z.string(), heartbeatSeconds: z.number().int().min(1), serverTime: z.number() }),
  z.object({
    ...base,
    type: z.literal('offer'),
    offerId,
    jobId,
    to: e164,
    headerText: z.string().max(100).nullable(),
    pages: z.number().int().min(0).nullable(),
    /** Short-lived signed HTTPS URL of the PDF. */
    documentUrl: z.string().url(),
    /** The PDF itself (base64), for a small new job: the agent writes it instead of downloading. */
    document: z.base64().max(INLINE_DOCUMENT_MAX_BASE64).optional(),
    /** Accept before this time (epoch ms) or the offer goes to another agent. */
    acceptBy: z.number(),
  }),
  /**
   * Answer to progress `dialing`: the edge has durably marked the job in_progress for this agent.
   * The agent originates the call only after this, so a job can never be dialled by two agents.
   */
  z.object({ ...base, type: z.literal('dial_ok'), jobId, offerId }),
  /** The job was canceled or re-assigned: drop it if not dialled yet. */
  z.object({ ...base, type: z.literal('revoke_offer'), jobId, offerId }),
  /** The edge stored the result durably: the agent may forget the job. */
  z.object({ ...base, type: z.literal('result_ack'), jobId, offerId }),
  /** A new token for this agent: persist it, then ack. The current one stays valid for the grace period. */
  z.object({ ...base, type: z.literal('token_update'), tokenId: z.string(), token: z.string(), previousValidUntil: z.number().nullable() }),
  z.object({ ...base, type: z.literal('ping'), ts: z.number().optional() }),
  z.object({ ...base, type: z.literal('pong'), ts: z.number().optional() }),
  z.object({ ...base, type: z.literal('error'), code: z.string(), message: z.string() }),
]);

// ---- POST /agent/inbound (HTTPS, not the socket) ----
/** The text fields of an inbound upload (multipart/form-data, next to the PDF `file`), as the edge validates them. */
export const inboundUploadFields = z.object({
  uniqueid: z.string().min(1).max(150).regex(/^[\w.:-]+$/),
  from: z.string().max(40).optional(),
  to: z.string().max(40).optional(),
  pages: z.coerce.number().int().min(0).max(10_000).optional(),
  received_at: z.iso.datetime({ offset: true }),
  remote_station_id: z.string().max(200).optional(),
});

export type AgentMessage = z.infer<typeof agentMessage>;
export type EdgeMessage = z.infer<typeof edgeMessage>;
export type InFlightJob = z.infer<typeof inFlightJob>;
export type JobResult = z.infer<typeof jobResultFields>;

/** Distributive Omit so each union member keeps its own fields. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type AgentMessageBody = DistributiveOmit<AgentMessage, 'v'>;
export type EdgeMessageBody = DistributiveOmit<EdgeMessage, 'v'>;

export function encodeMessage(msg: AgentMessageBody | EdgeMessageBody): string {
  return JSON.stringify({ v: PROTOCOL_VERSION, ...msg });
}

export type Parsed<T> = { ok: true; message: T } | { ok: false; error: string };

function parseWith<T>(schema: z.ZodType<T>, raw: string | ArrayBuffer): Parsed<T> {
  let data: unknown;
  try {
    data = JSON.parse(typeof raw === 'string' ? raw : new TextDecoder().decode(raw));
  } catch {
    return { ok: false, error: 'message is not JSON' };
  }
  const result = schema.safeParse(data);
  if (!result.success) return { ok: false, error: result.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; ') };
  return { ok: true, message: result.data };
}

export const parseAgentMessage = (raw: string | ArrayBuffer) => parseWith(agentMessage, raw);
export const parseEdgeMessage = (raw: string | ArrayBuffer) => parseWith(edgeMessage, raw);

/** Agent tokens: `fba_<16-char agent token id>_<43-char secret>`. */
export const AGENT_TOKEN_RE = /^fba_([a-z0-9]{16})_([A-Za-z0-9_-]{43})$/;

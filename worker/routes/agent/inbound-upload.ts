// POST /agent/inbound — an agent uploads a fax Asterisk received (agent token). multipart with
// uniqueid, from, to, pages, received_at, remote_station_id? and file (PDF). Idempotent: the id and
// storage key derive from (agent, uniqueid), so a retried upload stores nothing twice (200 again).
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../../context.ts';
import { ApiError } from '../../errors.ts';
import { audit } from '../../lib/audit.ts';
import { sha256Hex } from '../../lib/crypto.ts';
import { log } from '../../lib/log.ts';
import { readFileBytes } from '../../lib/read-file.ts';
import { schedulerStub } from '../../lifecycle/scheduler-stub.ts';
import { parseWith } from '../../lib/validate.ts';
import { authenticateAgent } from '../../middleware/agent-auth.ts';
import { detectDocumentType } from '../../documents/detect.ts';
import { inboundDocumentKey } from '../../documents/keys.ts';
import { inboundUploadFields } from '../../../shared/agent-protocol.ts';
import { maskNumber, normalizeNumber } from '../../../shared/phone.ts';

export const inboundUpload = new Hono<AppEnv>().post(
  '/inbound',
  (c, next) => bodyLimit({ maxSize: c.get('config').maxFileSizeBytes + 64 * 1024, onError: () => { throw new ApiError(413, 'file_too_large', 'The upload exceeds MAX_FILE_SIZE_MB.'); } })(c, next),
  async (c) => {
    const { agent } = await authenticateAgent(c);
    let form: FormData;
    try {
      form = await c.req.raw.formData();
    } catch {
      throw new ApiError(400, 'invalid_multipart', 'Send the fax as multipart/form-data.');
    }
    const meta = parseWith(inboundUploadFields, Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === 'string')));
    const file = form.get('file');
    if (!(file instanceof File)) throw new ApiError(400, 'missing_file', "Attach the PDF as the 'file' field.");
    const pdf = await readFileBytes(file);
    if (detectDocumentType(pdf) !== 'pdf') throw new ApiError(415, 'unsupported_media_type', 'Inbound faxes are uploaded as PDF.');
    const { config, services } = { config: c.get('config'), services: c.get('services') };
    const id = `inb_${(await sha256Hex(`${agent.id}:${meta.uniqueid}`)).slice(0, 24)}`;
    const norm = (n?: string) => {
      const r = n ? normalizeNumber(n, config.defaultCountryCode) : null;
      return r?.ok ? r.e164 : null;
    };
    const to = norm(meta.to);
    const documentKey = inboundDocumentKey(id);
    await services.documents.put(documentKey, pdf, 'application/pdf');
    const { inbound } = services;
    const { row, created } = await inbound.store({
      id,
      owner: await inbound.ownerOf(to),
      agentId: agent.id,
      uniqueid: meta.uniqueid,
      fromNumber: norm(meta.from),
      toNumber: to,
      pages: meta.pages ?? null,
      remoteStationId: meta.remote_station_id ?? null,
      receivedAt: new Date(meta.received_at),
      documentKey,
      documentSha256: await sha256Hex(pdf),
      documentBytes: pdf.byteLength,
    });
    if (created) {
      log('info', 'inbound fax stored', { inbound_id: row.id, to: to ? maskNumber(to) : null, pages: row.pages });
      // The owner's webhooks hear of it from the scheduler's fan-out.
      c.executionCtx.waitUntil(schedulerStub(c.env).kick().catch(() => undefined));
      await audit(c, { action: 'inbound.receive', resourceType: 'inbound_fax', resourceId: row.id, outcome: 'success', details: { agent_id: agent.id, to: to ? maskNumber(to) : null, pages: row.pages } });
    }
    return c.json({ id: row.id, stored: true, duplicate: !created }, created ? 201 : 200);
  },
);

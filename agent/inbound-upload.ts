// One upload of a received fax to the edge: POST <EDGE_URL>/agent/inbound, multipart (uniqueid, from, to,
// pages, received_at, remote_station_id, file), Bearer agent token. Classifies the answer for the retry loop.
import { openAsBlob } from 'node:fs';

/** The sidecar JSON kept next to a received fax until the edge has stored it. */
export interface InboundRecord {
  version: 1;
  uniqueid: string;
  /** Caller number as Asterisk saw it ('' when withheld). PHI. */
  from: string;
  /** Dialled number (DID). PHI. */
  to: string;
  pages: number;
  receivedAt: string;
  remoteStationId?: string;
  /** FAXSTATUS of the receiving leg. */
  status: string;
}

export type UploadOutcome =
  | { kind: 'stored'; status: number }
  /** Network error, timeout, 429 or 5xx: try again later. */
  | { kind: 'retry'; status?: number; error?: string; retryAfterMs?: number }
  /** Any other 4xx: retrying the same request will not help. */
  | { kind: 'rejected'; status: number };

export interface UploadRequest {
  edgeUrl: string;
  token: string;
  record: InboundRecord;
  pdfPath: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export async function uploadInbound(req: UploadRequest): Promise<UploadOutcome> {
  const { record } = req;
  const form = new FormData();
  form.append('uniqueid', record.uniqueid);
  form.append('from', record.from);
  form.append('to', record.to);
  form.append('pages', String(record.pages));
  form.append('received_at', record.receivedAt);
  if (record.remoteStationId) form.append('remote_station_id', record.remoteStationId);
  form.append('file', await openAsBlob(req.pdfPath, { type: 'application/pdf' }), 'fax.pdf');
  const signals = [AbortSignal.timeout(req.timeoutMs ?? 120_000), ...(req.signal ? [req.signal] : [])];
  let res: Response;
  try {
    res = await (req.fetch ?? fetch)(`${req.edgeUrl}/agent/inbound`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${req.token}` },
      body: form,
      signal: AbortSignal.any(signals),
    });
  } catch (err) {
    if (req.signal?.aborted) throw req.signal.reason;
    return { kind: 'retry', error: (err as Error).message };
  }
  await res.body?.cancel().catch(() => undefined);
  if (res.status === 200 || res.status === 201) return { kind: 'stored', status: res.status };
  if (res.status === 429 || res.status >= 500 || res.status < 200 || (res.status > 201 && res.status < 400)) {
    return { kind: 'retry', status: res.status, retryAfterMs: retryAfter(res.headers.get('retry-after')) };
  }
  return { kind: 'rejected', status: res.status };
}

/** Retry-After in seconds or as an HTTP date; undefined when absent or unparseable. */
function retryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

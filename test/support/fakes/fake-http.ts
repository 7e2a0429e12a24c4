// Shared plumbing of the provider fakes (fake-phaxio.ts, fake-sinch.ts): a node:http server with
// JSON and multipart helpers, a tiny PDF, and a callback sender that retries failed deliveries on
// the providers' documented schedule (5, 10, 20, 30 min, then every 6 h; 16 retries), compressed by
// `timeScale`, logging every delivery for the control API.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PDFDocument } from 'pdf-lib';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, url: URL) => Promise<unknown> | unknown;

export async function startServer(handler: Handler, port = 0): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      Promise.resolve(handler(req, res, Buffer.concat(chunks), url)).catch((err) => {
        if (!res.headersSent) sendJson(res, 500, { message: String(err) });
      });
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))) };
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Parses a multipart or urlencoded body with the platform's own parser. */
export async function parseForm(req: http.IncomingMessage, body: Buffer): Promise<FormData> {
  return new Request('http://fake/', { method: 'POST', headers: { 'content-type': String(req.headers['content-type'] ?? '') }, body }).formData();
}

export function basicCredentials(req: http.IncomingMessage): { user: string; password: string } | null {
  const m = /^Basic\s+(\S+)$/i.exec(String(req.headers.authorization ?? ''));
  if (!m) return null;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = text.indexOf(':');
  return i < 0 ? null : { user: text.slice(0, i), password: text.slice(i + 1) };
}

export async function tinyPdf(pages = 1): Promise<Buffer> {
  const doc = await PDFDocument.create();
  for (let i = 0; i < pages; i++) doc.addPage([612, 792]);
  return Buffer.from(await doc.save());
}

export function countPdfPages(pdf: Uint8Array): number {
  const text = Buffer.from(pdf).toString('latin1');
  return Math.max(1, (text.match(/\/Type\s*\/Page(?!s)/g) ?? []).length);
}

export interface Delivery {
  fax_id: string | number;
  event_type: string;
  direction: string;
  url: string;
  attempt: number;
  status: number | 'network_error';
  auth: boolean;
  at: string;
}

/** Minutes between a provider's callback retries: 5, 10, 20, 30, then 6 h up to 16 retries. */
export const RETRY_MINUTES = [5, 10, 20, 30, ...Array(12).fill(360)];

export class CallbackSender {
  readonly log: Delivery[] = [];
  private readonly timeScale: number;
  private timers = new Set<NodeJS.Timeout>();
  constructor(timeScale: number) {
    this.timeScale = timeScale;
  }

  /** Delivers `build()` (fresh each try) to `url`; retried until a 2xx or the retries are spent. */
  deliver(meta: Omit<Delivery, 'attempt' | 'status' | 'at' | 'url' | 'auth'>, url: string, build: () => Promise<{ body: Buffer; headers: Record<string, string> }>, attempt = 0): void {
    void (async () => {
      const { body, headers } = await build();
      const target = new URL(url);
      if (target.username) {
        headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString('base64')}`;
        target.username = '';
        target.password = '';
      }
      let status: number | 'network_error';
      try {
        const res = await fetch(target, { method: 'POST', headers, body: new Uint8Array(body), signal: AbortSignal.timeout(10_000) });
        status = res.status;
        await res.arrayBuffer();
      } catch {
        status = 'network_error';
      }
      this.log.push({ ...meta, url: target.toString(), attempt, status, auth: !!headers.authorization, at: new Date().toISOString() });
      const ok = typeof status === 'number' && status >= 200 && status < 300;
      if (!ok && attempt < RETRY_MINUTES.length) {
        const t = setTimeout(() => (this.timers.delete(t), this.deliver(meta, url, build, attempt + 1)), RETRY_MINUTES[attempt]! * 60_000 * this.timeScale);
        this.timers.add(t);
      }
    })();
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
  }
}

/** Encodes a FormData the way fetch would send it. */
export async function encodeForm(form: FormData): Promise<{ body: Buffer; headers: Record<string, string> }> {
  const res = new Response(form);
  return { body: Buffer.from(await res.arrayBuffer()), headers: { 'content-type': res.headers.get('content-type')! } };
}

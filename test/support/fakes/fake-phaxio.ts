// A fake Phaxio API v2.1 for the tests: a real HTTP server with Basic auth, multipart sends
// (tags, header_text, callback_url), the {success, message, data} envelope, fax objects with
// recipients, list by tag, cancel and file download, and callbacks signed exactly as Phaxio signs
// them (X-Phaxio-Signature: HMAC-SHA1 with the callback token over the URL, the sorted fields and the
// sorted file parts' SHA-1s), retried on Phaxio's schedule. Per destination number (control
// POST /_fake/scenarios) it can fail, retry (willretry + retry_scheduled), lose a submit's answer,
// answer 5xx/429, repeat or reverse callbacks. Everything is controlled over HTTP (/_fake/...).
import { createHash, createHmac } from 'node:crypto';
import type http from 'node:http';
import { basicCredentials, CallbackSender, countPdfPages, encodeForm, parseForm, sendJson, startServer, tinyPdf } from './fake-http.ts';

export interface FakePhaxioOptions {
  apiKey: string;
  apiSecret: string;
  callbackToken: string;
  timeScale?: number;
  completionMs?: number;
  port?: number;
}

interface Scenario {
  outcome?: 'success' | { failure: { error_type: string; error_message: string; error_id?: number } };
  retries?: number;
  submitFailures?: number[];
  loseResponse?: boolean;
  reverseCallbacks?: boolean;
  duplicateCallbacks?: number;
  completionMs?: number;
}

interface Fax {
  obj: Record<string, any>;
  pdf: Buffer;
  callbackUrl: string | null;
  submission: { fields: Record<string, string>; tags: Record<string, string>; files: Array<{ part: string; filename: string; bytes: number; sha256: string }> } | null;
  done: boolean;
}

export async function startFakePhaxio(opts: FakePhaxioOptions) {
  const timeScale = opts.timeScale ?? 0.0001;
  const faxes = new Map<number, Fax>();
  const scenarios = new Map<string, Scenario>();
  const counts = new Map<string, { requests: number; faxes: number }>();
  const fileFailures = new Map<number, number>();
  const requests: Array<{ method: string; path: string; status: number }> = [];
  const sender = new CallbackSender(timeScale);
  let defaultCallbackUrl: string | null = null;
  let nextId = 100_000 + Math.floor(Math.random() * 1000);

  const sign = (url: string, fields: Record<string, string>, files: Record<string, Buffer>) => {
    let s = url;
    for (const k of Object.keys(fields).sort()) s += k + fields[k];
    for (const k of Object.keys(files).sort()) s += k + createHash('sha1').update(files[k]!).digest('hex');
    return createHmac('sha1', opts.callbackToken).update(s).digest('hex');
  };

  const callback = (fax: Fax, event: string, withFile: boolean) => {
    const url = fax.callbackUrl ?? defaultCallbackUrl;
    if (!url) return null;
    const snapshot = JSON.parse(JSON.stringify(fax.obj));
    return () =>
      sender.deliver({ fax_id: fax.obj.id, event_type: event, direction: fax.obj.direction }, url, async () => {
        const fields = { fax: JSON.stringify(snapshot), success: String(snapshot.status === 'success'), is_test: 'false', direction: snapshot.direction, event_type: event };
        const files: Record<string, Buffer> = withFile ? { file: fax.pdf } : {};
        const form = new FormData();
        for (const [k, v] of Object.entries(fields)) form.set(k, v);
        if (withFile) form.set('file', new Blob([new Uint8Array(fax.pdf)], { type: 'application/pdf' }), 'fax.pdf');
        const encoded = await encodeForm(form);
        return { body: encoded.body, headers: { ...encoded.headers, 'x-phaxio-signature': sign(url, fields, files) } };
      });
  };

  const run = (fax: Fax, s: Scenario) => {
    const step = s.completionMs ?? opts.completionMs ?? 150;
    const r = fax.obj.recipients[0];
    const pending: Array<() => void> = [];
    const emit = (send: (() => void) | null) => {
      if (!send) return;
      if (s.reverseCallbacks) pending.push(send);
      else send();
    };
    const retries = s.retries ?? 0;
    for (let i = 1; i <= retries; i++) {
      setTimeout(() => {
        if (fax.done) return;
        Object.assign(r, { status: 'willretry', retry_count: i, error_type: 'lineError', error_message: 'Busy', error_id: 1 });
        emit(callback(fax, 'retry_scheduled', false));
      }, step * i);
    }
    setTimeout(() => {
      if (fax.done) return;
      fax.done = true;
      const at = new Date().toISOString();
      if (!s.outcome || s.outcome === 'success') {
        Object.assign(fax.obj, { status: 'success', completed_at: at, error_type: null, error_message: null, error_id: null });
        Object.assign(r, { status: 'success', completed_at: at, bitrate: 14400, resolution: 7700, error_type: null, error_message: null, error_id: null });
      } else {
        const f = s.outcome.failure;
        Object.assign(fax.obj, { status: 'failure', completed_at: at, error_type: f.error_type, error_message: f.error_message, error_id: f.error_id ?? 0 });
        Object.assign(r, { status: 'failure', completed_at: at, error_type: f.error_type, error_message: f.error_message, error_id: f.error_id ?? 0 });
      }
      for (let i = 0; i <= (s.duplicateCallbacks ?? 0); i++) emit(callback(fax, 'fax_completed', false));
      // Reversed: the final callback first, each next one after the previous had time to land.
      pending.reverse().forEach((send, i) => setTimeout(send, i * 150));
    }, step * (retries + 1));
  };

  const api = async (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, url: URL, path: string) => {
    const creds = basicCredentials(req);
    if (!creds || creds.user !== opts.apiKey || creds.password !== opts.apiSecret) return sendJson(res, 401, { success: false, message: 'Invalid API credentials provided' });
    let m: RegExpExecArray | null;
    if (req.method === 'POST' && path === '/faxes') {
      const form = await parseForm(req, body).catch(() => null);
      const to = form?.get('to') ?? form?.get('to[]');
      const file = form?.get('file') ?? form?.get('file[]');
      if (!form || typeof to !== 'string' || !(file instanceof File)) return sendJson(res, 422, { success: false, message: 'You must provide a recipient and a file' });
      if (!file.name) return sendJson(res, 422, { success: false, message: 'File parts must have a filename' });
      const header = form.get('header_text');
      if (typeof header === 'string' && header.length > 50) return sendJson(res, 422, { success: false, message: 'header_text must be 50 characters or less' });
      const s = scenarios.get(to) ?? {};
      const count = counts.get(to) ?? { requests: 0, faxes: 0 };
      counts.set(to, count);
      count.requests++;
      const failure = s.submitFailures?.shift();
      if (failure) return sendJson(res, failure, { success: false, message: failure === 429 ? 'Rate limit exceeded' : 'Internal server error' }, failure === 429 ? { 'retry-after': '1' } : {});
      const pdf = Buffer.from(await file.arrayBuffer());
      const fields: Record<string, string> = {};
      const tags: Record<string, string> = {};
      for (const [k, v] of form.entries()) {
        if (typeof v !== 'string') continue;
        fields[k] = v;
        const tag = /^tag\[(.+)\]$/.exec(k);
        if (tag) tags[tag[1]!] = v;
      }
      const id = nextId++;
      const fax: Fax = {
        obj: { id, direction: 'sent', num_pages: countPdfPages(pdf), cost: 7, status: 'inprogress', is_test: false, created_at: new Date().toISOString(), caller_id: '+18475551234', from_number: null, to_number: to, completed_at: null, error_type: null, error_message: null, error_id: null, tags, recipients: [{ phone_number: to, status: 'inprogress', retry_count: 0, completed_at: null, bitrate: null, resolution: null, error_type: null, error_id: null, error_message: null }] },
        pdf,
        callbackUrl: typeof fields.callback_url === 'string' ? fields.callback_url : null,
        submission: { fields, tags, files: [{ part: 'file', filename: file.name, bytes: pdf.byteLength, sha256: createHash('sha256').update(pdf).digest('hex') }] },
        done: false,
      };
      faxes.set(id, fax);
      count.faxes++;
      run(fax, s);
      if (s.loseResponse) {
        s.loseResponse = false;
        req.socket.destroy();
        return;
      }
      return sendJson(res, 200, { success: true, message: 'Fax queued for sending', data: { id } });
    }
    if (req.method === 'GET' && path === '/faxes') {
      const tagFilters = [...url.searchParams.entries()].map(([k, v]) => [/^tag\[(.+)\]$/.exec(k)?.[1], v] as const).filter((e) => e[0]);
      const direction = url.searchParams.get('direction');
      const data = [...faxes.values()].map((f) => f.obj).filter((o) => (!direction || o.direction === direction) && tagFilters.every(([k, v]) => o.tags?.[k!] === v));
      return sendJson(res, 200, { success: true, message: 'Retrieved faxes successfully', data, paging: { total: data.length, per_page: 20, page: 1 } });
    }
    if ((m = /^\/faxes\/(\d+)(\/file|\/cancel)?$/.exec(path))) {
      const fax = faxes.get(Number(m[1]));
      if (!fax) return sendJson(res, 404, { success: false, message: 'Fax not found' });
      if (req.method === 'GET' && !m[2]) return sendJson(res, 200, { success: true, message: 'Retrieved fax successfully', data: fax.obj });
      if (req.method === 'GET' && m[2] === '/file') {
        const left = fileFailures.get(fax.obj.id) ?? 0;
        if (left > 0) {
          fileFailures.set(fax.obj.id, left - 1);
          return sendJson(res, 503, { success: false, message: 'Service unavailable' });
        }
        res.writeHead(200, { 'content-type': 'application/pdf' });
        return res.end(fax.pdf);
      }
      if (req.method === 'POST' && m[2] === '/cancel') {
        if (fax.done) return sendJson(res, 422, { success: false, message: 'Fax cannot be canceled' });
        fax.done = true;
        Object.assign(fax.obj, { status: 'failure', completed_at: new Date().toISOString(), error_type: 'generalError', error_message: 'Fax canceled by user', error_id: 41 });
        callback(fax, 'fax_completed', false)?.();
        return sendJson(res, 200, { success: true, message: 'Fax canceled successfully.', data: { id: fax.obj.id } });
      }
    }
    return sendJson(res, 404, { success: false, message: 'Not found' });
  };

  const control = async (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, url: URL, path: string) => {
    const input = body.length ? JSON.parse(body.toString('utf8')) : {};
    if (req.method === 'POST' && path === '/scenarios') {
      scenarios.set(input.number, { ...input.scenario, submitFailures: [...(input.scenario.submitFailures ?? [])] });
      return sendJson(res, 200, { ok: true });
    }
    if (req.method === 'POST' && path === '/config') {
      defaultCallbackUrl = input.callbackUrl ?? null;
      return sendJson(res, 200, { ok: true });
    }
    if (req.method === 'POST' && path === '/inbound') {
      const pdf = input.pdfBase64 ? Buffer.from(input.pdfBase64, 'base64') : await tinyPdf(input.pages ?? 1);
      const id = nextId++;
      const at = new Date().toISOString();
      const fax: Fax = {
        obj: { id, direction: 'received', num_pages: input.pages ?? countPdfPages(pdf), cost: 7, status: 'success', is_test: false, created_at: at, caller_id: input.from ?? null, from_number: input.from ?? null, to_number: input.to, completed_at: at, error_type: null, error_message: null, error_id: null, tags: {}, recipients: [] },
        pdf,
        callbackUrl: input.callbackUrl ?? null,
        submission: null,
        done: true,
      };
      faxes.set(id, fax);
      for (let i = 0; i <= (input.duplicateCallbacks ?? 0); i++) callback(fax, 'fax_completed', input.includeFile !== false)?.();
      return sendJson(res, 200, { id });
    }
    if (req.method === 'POST' && path === '/file-failures') {
      fileFailures.set(Number(input.id), Number(input.count));
      return sendJson(res, 200, { ok: true });
    }
    if (path === '/faxes') return sendJson(res, 200, [...faxes.values()].map((f) => ({ ...f.obj, submissions: f.submission ? [f.submission] : [] })));
    if (path === '/submits') return sendJson(res, 200, counts.get(url.searchParams.get('number') ?? '') ?? { requests: 0, faxes: 0 });
    if (path === '/callbacks') return sendJson(res, 200, sender.log);
    if (path === '/requests') return sendJson(res, 200, requests);
    return sendJson(res, 404, { message: 'unknown control path' });
  };

  const server = await startServer(async (req, res, body, url) => {
    if (url.pathname.startsWith('/_fake/')) return control(req, res, body, url, url.pathname.slice('/_fake'.length));
    if (url.pathname.startsWith('/v2.1/')) {
      res.on('finish', () => requests.push({ method: req.method ?? '', path: url.pathname, status: res.statusCode }));
      return api(req, res, body, url, url.pathname.slice('/v2.1'.length));
    }
    sendJson(res, 404, { success: false, message: 'Not found' });
  }, opts.port);
  return {
    baseUrl: `${server.origin}/v2.1`,
    controlUrl: `${server.origin}/_fake`,
    close: async () => {
      sender.stop();
      await server.close();
    },
  };
}

// A fake Sinch Fax API v3 for the tests: a real HTTP server with OAuth2 client-credentials tokens
// that expire (POST /oauth2/token) or Basic key auth, multipart and JSON sends under
// /v3/projects/{projectId}/faxes, fax objects, list by number, cancel, file download, and callbacks
// as Sinch sends them: FAX_COMPLETED / INCOMING_FAX, multipart (fax JSON field, PDF part `file`) or
// JSON (file base64), unsigned, with the callback URL's credentials sent as HTTP Basic, retried on
// Sinch's schedule. Per-number scenarios and inspection over HTTP (/_fake/...), like fake-phaxio.ts.
import { createHash, randomBytes } from 'node:crypto';
import type http from 'node:http';
import { basicCredentials, CallbackSender, countPdfPages, encodeForm, parseForm, sendJson, startServer, tinyPdf } from './fake-http.ts';

export interface FakeSinchOptions {
  projectId: string;
  keyId: string;
  keySecret: string;
  tokenTtlSeconds?: number;
  timeScale?: number;
  completionMs?: number;
  port?: number;
}

interface Scenario {
  outcome?: 'COMPLETED' | { FAILURE: { errorType: string; errorCode: number; errorMessage: string } };
  submitFailures?: number[];
  loseResponse?: boolean;
  duplicateCallbacks?: number;
  completionMs?: number;
}

interface Fax {
  obj: Record<string, any>;
  pdf: Buffer;
  contentType: 'multipart' | 'json';
  includeFile: boolean;
  submission: Record<string, unknown> | null;
  done: boolean;
}

const ulid = () => `01${randomBytes(12).toString('hex').toUpperCase().slice(0, 24)}`;
const sinchError = (res: http.ServerResponse, code: number, status: string, message: string, headers: Record<string, string> = {}) => sendJson(res, code, { error: { code, message, status, details: [] } }, headers);

export async function startFakeSinch(opts: FakeSinchOptions) {
  const timeScale = opts.timeScale ?? 0.0001;
  const tokens = new Map<string, number>();
  let issued = 0;
  const faxes = new Map<string, Fax>();
  const scenarios = new Map<string, Scenario>();
  const counts = new Map<string, { requests: number; faxes: number }>();
  const fileFailures = new Map<string, number>();
  const requests: Array<{ method: string; path: string; auth: string; status: number }> = [];
  const sender = new CallbackSender(timeScale);

  const callback = (fax: Fax, event: 'FAX_COMPLETED' | 'INCOMING_FAX') => {
    const url = fax.obj.callbackUrl as string | undefined;
    if (!url) return;
    const snapshot = JSON.parse(JSON.stringify(fax.obj));
    delete snapshot.callbackUrl;
    const withFile = event === 'INCOMING_FAX' && fax.includeFile;
    sender.deliver({ fax_id: fax.obj.id, event_type: event, direction: fax.obj.direction }, url, async () => {
      const eventTime = new Date().toISOString();
      if (fax.contentType === 'json') {
        const body = { event, eventTime, fax: snapshot, ...(withFile ? { file: fax.pdf.toString('base64'), fileType: 'PDF' } : {}) };
        return { body: Buffer.from(JSON.stringify(body)), headers: { 'content-type': 'application/json' } };
      }
      const form = new FormData();
      form.set('event', event);
      form.set('eventTime', eventTime);
      form.set('fax', JSON.stringify(snapshot));
      if (withFile) form.set('file', new Blob([new Uint8Array(fax.pdf)], { type: 'application/pdf' }), `${fax.obj.id}.pdf`);
      return encodeForm(form);
    });
  };

  const authorized = (req: http.IncomingMessage): string | null => {
    const h = String(req.headers.authorization ?? '');
    const bearer = /^Bearer\s+(\S+)$/i.exec(h)?.[1];
    if (bearer) return (tokens.get(bearer) ?? 0) > Date.now() ? 'bearer' : null;
    const basic = basicCredentials(req);
    return basic && basic.user === opts.keyId && basic.password === opts.keySecret ? 'basic' : null;
  };

  const submit = async (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => {
    const json = String(req.headers['content-type'] ?? '').includes('application/json');
    let fields: Record<string, any> = {};
    let pdf: Buffer | null = null;
    if (json) {
      fields = JSON.parse(body.toString('utf8'));
      const f = fields.files?.[0]?.file;
      pdf = typeof f === 'string' ? Buffer.from(f, 'base64') : null;
    } else {
      const form = await parseForm(req, body);
      const labels: Record<string, string> = {};
      for (const [k, v] of form.entries()) {
        if (typeof v !== 'string') continue;
        const label = /^labels\[(.+)\]$/.exec(k);
        if (label) labels[label[1]!] = v;
        else if (k === 'labels') Object.assign(labels, JSON.parse(v));
        else fields[k] = v;
      }
      fields.labels = labels;
      const file = form.get('file');
      pdf = file instanceof File ? Buffer.from(await file.arrayBuffer()) : null;
    }
    if (typeof fields.to !== 'string' || !fields.to) return sinchError(res, 400, 'INVALID_ARGUMENT', 'to is required');
    if (!pdf && !fields.contentUrl) return sinchError(res, 400, 'INVALID_ARGUMENT', 'a file or contentUrl is required');
    if (typeof fields.headerText === 'string' && fields.headerText.length > 50) return sinchError(res, 400, 'INVALID_ARGUMENT', 'headerText must be at most 50 characters');
    const s = scenarios.get(fields.to) ?? {};
    const count = counts.get(fields.to) ?? { requests: 0, faxes: 0 };
    counts.set(fields.to, count);
    count.requests++;
    const failure = s.submitFailures?.shift();
    if (failure) return sinchError(res, failure, failure === 429 ? 'RESOURCE_EXHAUSTED' : 'UNAVAILABLE', 'try again later', failure === 429 ? { 'retry-after': '1' } : {});
    const id = ulid();
    const document = pdf ?? (await tinyPdf(1));
    const fax: Fax = {
      obj: { id, direction: 'OUTBOUND', from: fields.from ?? '+12085550100', to: fields.to, numberOfPages: countPdfPages(document), pagesSentSuccessfully: 0, status: 'IN_PROGRESS', price: { amount: '0.07', currencyCode: 'USD' }, createTime: new Date().toISOString(), completedTime: null, headerText: fields.headerText ?? '', retryCount: 0, maxRetries: Number(fields.maxRetries ?? 3), hasFile: true, labels: fields.labels ?? {}, projectId: opts.projectId, callbackUrl: fields.callbackUrl, callbackUrlContentType: fields.callbackUrlContentType ?? 'multipart/form-data' },
      pdf: document,
      contentType: fields.callbackUrlContentType === 'application/json' ? 'json' : 'multipart',
      includeFile: false,
      submission: { ...fields, files: pdf ? [{ part: 'file', bytes: pdf.byteLength, sha256: createHash('sha256').update(pdf).digest('hex') }] : [] },
      done: false,
    };
    faxes.set(id, fax);
    count.faxes++;
    setTimeout(() => {
      if (fax.done) return;
      fax.done = true;
      fax.obj.completedTime = new Date().toISOString();
      if (!s.outcome || s.outcome === 'COMPLETED') Object.assign(fax.obj, { status: 'COMPLETED', pagesSentSuccessfully: fax.obj.numberOfPages });
      else Object.assign(fax.obj, { status: 'FAILURE', ...s.outcome.FAILURE });
      for (let i = 0; i <= (s.duplicateCallbacks ?? 0); i++) callback(fax, 'FAX_COMPLETED');
    }, s.completionMs ?? opts.completionMs ?? 150);
    if (s.loseResponse) {
      s.loseResponse = false;
      req.socket.destroy();
      return;
    }
    const { callbackUrl: _hidden, ...visible } = fax.obj;
    return sendJson(res, 200, visible);
  };

  const api = async (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, url: URL, path: string) => {
    if (!authorized(req)) return sinchError(res, 401, 'UNAUTHENTICATED', 'Invalid or expired credentials');
    const prefix = `/v3/projects/${opts.projectId}`;
    if (!path.startsWith(`${prefix}/`)) return sinchError(res, 404, 'NOT_FOUND', 'Project not found');
    const rest = path.slice(prefix.length);
    if (req.method === 'POST' && rest === '/faxes') return submit(req, res, body);
    const view = (f: Fax) => {
      const { callbackUrl: _hidden, ...visible } = f.obj;
      return visible;
    };
    if (req.method === 'GET' && rest === '/faxes') {
      const to = url.searchParams.get('to');
      const direction = url.searchParams.get('direction');
      const list = [...faxes.values()].filter((f) => (!to || f.obj.to === to) && (!direction || f.obj.direction === direction)).map(view).reverse();
      return sendJson(res, 200, { faxes: list, totalItems: list.length, pageSize: 100, nextPageToken: '' });
    }
    const m = /^\/faxes\/([^/]+)(\/file)?$/.exec(rest);
    const fax = m ? faxes.get(decodeURIComponent(m[1]!)) : undefined;
    if (!m || !fax) return sinchError(res, 404, 'NOT_FOUND', 'Fax not found');
    if (req.method === 'GET' && !m[2]) return sendJson(res, 200, view(fax));
    if (req.method === 'GET' && m[2]) {
      const left = fileFailures.get(fax.obj.id) ?? 0;
      if (left > 0) {
        fileFailures.set(fax.obj.id, left - 1);
        return sinchError(res, 503, 'UNAVAILABLE', 'try again later');
      }
      res.writeHead(200, { 'content-type': 'application/pdf' });
      return res.end(fax.pdf);
    }
    if (req.method === 'DELETE' && !m[2]) {
      if (!fax.done) {
        fax.done = true;
        Object.assign(fax.obj, { status: 'FAILURE', errorType: 'GENERAL_ERROR', errorCode: 0, errorMessage: 'Canceled', completedTime: new Date().toISOString() });
        callback(fax, 'FAX_COMPLETED');
      }
      res.writeHead(204);
      return res.end();
    }
    return sinchError(res, 404, 'NOT_FOUND', 'Not found');
  };

  const control = async (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, url: URL, path: string) => {
    const input = body.length ? JSON.parse(body.toString('utf8')) : {};
    if (req.method === 'POST' && path === '/scenarios') {
      scenarios.set(input.number, { ...input.scenario, submitFailures: [...(input.scenario.submitFailures ?? [])] });
      return sendJson(res, 200, { ok: true });
    }
    if (req.method === 'POST' && path === '/expire-tokens') {
      tokens.clear();
      return sendJson(res, 200, { ok: true });
    }
    if (req.method === 'POST' && path === '/inbound') {
      const pdf = input.pdfBase64 ? Buffer.from(input.pdfBase64, 'base64') : await tinyPdf(input.pages ?? 1);
      const id = ulid();
      const at = new Date().toISOString();
      const fax: Fax = {
        obj: { id, direction: 'INBOUND', from: input.from ?? null, to: input.to, numberOfPages: input.pages ?? countPdfPages(pdf), status: 'COMPLETED', createTime: at, completedTime: at, hasFile: true, labels: {}, projectId: opts.projectId, callbackUrl: input.callbackUrl },
        pdf,
        contentType: input.contentType === 'json' ? 'json' : 'multipart',
        includeFile: input.includeFile !== false,
        submission: null,
        done: true,
      };
      faxes.set(id, fax);
      for (let i = 0; i <= (input.duplicateCallbacks ?? 0); i++) callback(fax, 'INCOMING_FAX');
      return sendJson(res, 200, { id });
    }
    if (req.method === 'POST' && path === '/file-failures') {
      fileFailures.set(String(input.id), Number(input.count));
      return sendJson(res, 200, { ok: true });
    }
    if (path === '/faxes') return sendJson(res, 200, [...faxes.values()].map((f) => ({ ...f.obj, submission: f.submission })));
    if (path === '/submits') return sendJson(res, 200, counts.get(url.searchParams.get('number') ?? '') ?? { requests: 0, faxes: 0 });
    if (path === '/callbacks') return sendJson(res, 200, sender.log);
    if (path === '/requests') return sendJson(res, 200, requests);
    if (path === '/tokens') return sendJson(res, 200, { count: issued });
    return sendJson(res, 404, { message: 'unknown control path' });
  };

  const server = await startServer(async (req, res, body, url) => {
    if (url.pathname.startsWith('/_fake/')) return control(req, res, body, url, url.pathname.slice('/_fake'.length));
    const auth = /^Bearer/i.test(String(req.headers.authorization ?? '')) ? 'bearer' : /^Basic/i.test(String(req.headers.authorization ?? '')) ? 'basic' : 'none';
    res.on('finish', () => requests.push({ method: req.method ?? '', path: url.pathname, auth, status: res.statusCode }));
    if (req.method === 'POST' && url.pathname === '/oauth2/token') {
      const creds = basicCredentials(req);
      if (!creds || creds.user !== opts.keyId || creds.password !== opts.keySecret) return sendJson(res, 401, { error: 'invalid_client', error_description: 'Client authentication failed' });
      if (new URLSearchParams(body.toString('utf8')).get('grant_type') !== 'client_credentials') return sendJson(res, 400, { error: 'unsupported_grant_type' });
      const token = randomBytes(24).toString('base64url');
      const ttl = opts.tokenTtlSeconds ?? 3599;
      tokens.set(token, Date.now() + ttl * 1000);
      issued++;
      return sendJson(res, 200, { access_token: token, expires_in: ttl, scope: '', token_type: 'bearer' });
    }
    if (url.pathname.startsWith('/v3/')) return api(req, res, body, url, url.pathname);
    sinchError(res, 404, 'NOT_FOUND', 'Not found');
  }, opts.port);
  return {
    apiUrl: server.origin,
    authUrl: `${server.origin}/oauth2/token`,
    controlUrl: `${server.origin}/_fake`,
    close: async () => {
      sender.stop();
      await server.close();
    },
  };
}

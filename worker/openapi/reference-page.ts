// GET /docs: the interactive API reference, rendered on the server from the same OpenAPI document
// that /openapi.json serves (so the two cannot disagree). Every operation with its scope,
// parameters, request body, responses and error codes, a "Try it" form per operation (run by
// /assets/reference.js), the schemas and the webhook events. No inline script or style; every
// value is escaped by hono/html.
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

type Json = Record<string, any>;
type Fragment = HtmlEscapedString | Promise<HtmlEscapedString>;

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const NO_TRY = new Set(['/agent/connect']);

const compact = (schema: unknown): string => (schema && typeof schema === 'object' && '$ref' in schema ? String((schema as Json).$ref).split('/').pop()! : JSON.stringify(schema));

function parametersTable(params: Json[]): Fragment | string {
  if (params.length === 0) return '';
  return html`<h3>Parameters</h3>
    <table>
      <thead><tr><th scope="col">Name</th><th scope="col">In</th><th scope="col">Required</th><th scope="col">Schema</th><th scope="col">Description</th></tr></thead>
      <tbody>${params.map((p) => html`<tr><td><code>${p.name}</code></td><td>${p.in}</td><td>${p.required ? 'yes' : 'no'}</td><td><code>${compact(p.schema)}</code></td><td>${p.description ?? ''}</td></tr>`)}</tbody>
    </table>`;
}

function requestBody(body: Json | undefined): Fragment | string {
  if (!body) return '';
  const [type, media] = Object.entries(body.content as Record<string, Json>)[0]!;
  return html`<h3>Request body <span class="muted">(${type}${body.required ? ', required' : ''})</span></h3>
    <pre>${JSON.stringify(media.schema, null, 2)}</pre>
    ${media.example ? html`<p class="muted">Example</p><pre>${JSON.stringify(media.example, null, 2)}</pre>` : ''}`;
}

function responsesTable(responses: Record<string, Json>): Fragment {
  return html`<h3>Responses</h3>
    <table>
      <thead><tr><th scope="col">Status</th><th scope="col">Meaning</th><th scope="col">Body</th></tr></thead>
      <tbody>${Object.entries(responses).map(([status, r]) => {
        const content = r.content ? Object.entries(r.content as Record<string, Json>)[0] : undefined;
        return html`<tr><td>${status}</td><td>${r.description}</td><td>${content ? html`${content[0]} <code>${compact(content[1].schema)}</code>` : ''}</td></tr>`;
      })}</tbody>
    </table>`;
}

function field(name: string, label: string, schema: Json | undefined, required: boolean): Fragment {
  const isFile = schema?.format === 'binary';
  return html`<label>${label}${required ? ' (required)' : ''}
    ${isFile ? html`<input type="file" name="${name}">` : html`<input type="text" name="${name}" autocomplete="off" spellcheck="false">`}</label>`;
}

function tryIt(path: string, method: string, op: Json): Fragment | string {
  if (NO_TRY.has(path)) return '';
  const params = (op.parameters ?? []) as Json[];
  const body = op.requestBody?.content as Record<string, Json> | undefined;
  const multipart = body?.['multipart/form-data']?.schema as Json | undefined;
  const json = body?.['application/json'];
  return html`<form class="stack" data-try="1" data-method="${method}" data-path="${path}" data-body="${multipart ? 'multipart' : json ? 'json' : 'none'}">
    <fieldset><legend>Try it</legend>
      ${params.map((p) => field(`${p.in}.${p.name}`, `${p.name} (${p.in})`, p.schema, Boolean(p.required)))}
      ${multipart ? Object.entries(multipart.properties as Record<string, Json>).map(([name, s]) => field(`form.${name}`, name, s, (multipart.required ?? []).includes(name))) : ''}
      ${json ? html`<label>JSON body<textarea name="json.body" spellcheck="false">${json.example ? JSON.stringify(json.example, null, 2) : ''}</textarea></label>` : ''}
      <div class="actions"><button type="submit">Send ${method.toUpperCase()} ${path}</button></div>
      <output><pre class="result" hidden></pre></output>
    </fieldset>
  </form>`;
}

function operation(path: string, method: string, op: Json): Fragment {
  const scheme = (op.security as Json[]).map((s) => Object.keys(s)[0]).join(' or ') || 'none (public)';
  return html`<details class="op" id="${op.operationId}">
    <summary><span class="method m-${method}">${method}</span><code>${path}</code><span>${op.summary}</span></summary>
    <div>
      <p>${op.description ?? ''} Authentication: ${scheme}. <a href="#${op.operationId}">Link</a></p>
      ${parametersTable(op.parameters ?? [])}
      ${requestBody(op.requestBody)}
      ${responsesTable(op.responses)}
      ${tryIt(path, method, op)}
    </div>
  </details>`;
}

export function referencePage(doc: Json): Fragment {
  const tags = (doc.tags as Json[]).map((t) => String(t.name));
  const ops = Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({ path, method: m, op: item[m] as Json })),
  );
  const anchor = (tag: string) => `tag-${tag.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return html`<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Faxbot API reference</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/assets/faxbot.css">
  <script src="/assets/reference.js" defer></script>
</head>
<body>
  <a class="skip" href="#main">Skip to the reference</a>
  <header class="top">
    <span class="brand">Faxbot API ${doc.info.version}</span>
    <nav class="tabs" aria-label="Sections">${tags.map((t) => html`<a href="#${anchor(t)}">${t}</a>`)}<a href="#schemas">Schemas</a><a href="#webhooks">Webhooks</a><a href="/openapi.json">openapi.json</a></nav>
  </header>
  <main id="main">
    <h1>API reference</h1>
    <p>${doc.info.description} Server: <code>${doc.servers[0].url}</code>. The machine-readable contract is <a href="/openapi.json">/openapi.json</a> (OpenAPI ${doc.openapi}).</p>
    <div class="notice">
      <label for="api-key">API key for “Try it”</label>
      <input id="api-key" type="password" autocomplete="off" spellcheck="false" placeholder="fbk_…">
      <p class="muted">Kept in this page’s memory only (never stored) and sent as a Bearer token to this origin. Sending a fax here sends a real fax.</p>
    </div>
    ${tags.map((tag) => html`<section aria-labelledby="${anchor(tag)}">
      <h2 id="${anchor(tag)}">${tag}</h2>
      ${ops.filter((o) => (o.op.tags as string[]).includes(tag)).map((o) => operation(o.path, o.method, o.op))}
    </section>`)}
    <h2 id="schemas">Schemas</h2>
    ${Object.entries(doc.components.schemas as Record<string, Json>).map(([name, schema]) => html`<details class="op" id="schema-${name}"><summary><code>${name}</code></summary><div><pre>${JSON.stringify(schema, null, 2)}</pre></div></details>`)}
    <h2 id="webhooks">Webhook events</h2>
    <p>Signed with Standard Webhooks v1 (<code>webhook-id</code>, <code>webhook-timestamp</code>, <code>webhook-signature</code>); body <code>WebhookEvent</code>.</p>
    <ul>${Object.entries(doc.webhooks as Record<string, Json>).map(([type, item]) => html`<li><code>${type}</code> — ${item.post.summary}</li>`)}</ul>
  </main>
</body>
</html>`;
}

// docs/deployment.md's S3 policies against the code. The keys come from every DocumentStore call in
// worker/ (parsed, not typed), the S3 requests and headers from S3DocumentStore on a recording
// fetch. The IAM policy must grant each (action, key) the worker uses and nothing broader; the
// worker's puts must pass the bucket policy.
import { createHash, webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as keys from '../../worker/documents/keys.ts';
import { S3DocumentStore } from '../../worker/services/s3-document-store.ts';
import { ROOT, at, constInitializer, fencedBlocks, importedFrom, sources, walk, type Source } from '../support/worker-source.ts';

const doc = readFileSync(path.join(ROOT, 'docs/deployment.md'), 'utf8');
const worker = sources('worker');
const IMPLEMENTATIONS = ['worker/services/document-store.ts', 'worker/services/s3-document-store.ts'];

interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: unknown;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
  [other: string]: unknown;
}
const list = (v: string | string[]) => (Array.isArray(v) ? v : [v]);
const policies = fencedBlocks(doc, 'json').map((b) => JSON.parse(b) as { Statement: Statement[] });
const bucketPolicy = policies.find((p) => p.Statement.every((s) => s.Principal !== undefined))!;
const iamPolicy = policies.find((p) => p.Statement.every((s) => s.Principal === undefined))!;
const vars = Object.fromEntries(
  fencedBlocks(doc, 'toml').flatMap((b) => [...b.matchAll(/^([A-Z0-9_]+)\s*=\s*"([^"]*)"/gm)].map((m) => [m[1]!, m[2]!])),
);
const bucket = vars.S3_BUCKET!;
const objectArn = (key: string) => `arn:aws:s3:::${bucket}/${key}`;
const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);

// ---- the keys: builders in keys.ts, and every store call's key argument ----
const MARK = '\u0000';
/** Store calls this test cannot follow: each one fails the first test. */
const problems: string[] = [];
/** What a key expression can be: built by keys.ts (a pattern with MARK for the id), or read from a row. */
type KeySource = { pattern: string; via: string } | 'stored';

function keyPatternsOf(src: Source, expr: ts.Expression, seen = 0): KeySource[] {
  const fromKeys = (name: string) => importedFrom(src, name)?.endsWith('/documents/keys.ts') && name in keys;
  if (ts.isCallExpression(expr) && ts.isIdentifier(expr.expression) && fromKeys(expr.expression.text)) {
    const build = (keys as unknown as Record<string, (id: string) => string>)[expr.expression.text]!;
    return [{ pattern: build(MARK), via: expr.expression.text }];
  }
  if (ts.isIdentifier(expr) && fromKeys(expr.text)) return [{ pattern: String((keys as Record<string, unknown>)[expr.text]), via: expr.text }];
  if (ts.isIdentifier(expr) && seen < 5) {
    const init = constInitializer(src, expr.text);
    if (init) return keyPatternsOf(src, init, seen + 1);
  }
  // Keys read back from rows in bulk (retention's batches).
  if (ts.isIdentifier(expr) && expr.text === 'documentKeys') return ['stored'];
  // A key read back from a row: `job.documentKey`, or `row.key` selected as `key: table.documentKey`.
  if (ts.isPropertyAccessExpression(expr)) {
    const name = expr.name.text;
    if (name === 'documentKey' || new RegExp(`\\b${name}: \\w+\\.documentKey\\b`).test(src.sf.text)) return ['stored'];
  }
  problems.push(`${at(src, expr)}: the key \`${expr.getText(src.sf)}\` is not built by worker/documents/keys.ts; build it there`);
  return [];
}

const storeMethods = (() => {
  const src = worker.find((s) => s.rel === IMPLEMENTATIONS[0])!;
  const names: string[] = [];
  walk(src.sf, (n) => {
    if (ts.isInterfaceDeclaration(n) && n.name.text === 'DocumentStore') for (const m of n.members) if (m.name && ts.isIdentifier(m.name)) names.push(m.name.text);
  });
  return names;
})();

interface StoreCall { where: string; method: string; keys: KeySource[] }
const calls: StoreCall[] = [];
/** Keys written into document_key columns (`documentKey` properties of the rows the worker inserts). */
const storedKeys: KeySource[] = [];
for (const src of worker.filter((s) => !IMPLEMENTATIONS.includes(s.rel))) {
  const annotatedStores = new Set<string>();
  walk(src.sf, (n) => {
    if ((ts.isParameter(n) || ts.isVariableDeclaration(n)) && ts.isIdentifier(n.name) && n.type?.getText(src.sf) === 'DocumentStore') annotatedStores.add(n.name.text);
  });
  const isStore = (e: ts.Expression) =>
    (ts.isPropertyAccessExpression(e) && e.name.text === 'documents') || (ts.isIdentifier(e) && (e.text === 'documents' || annotatedStores.has(e.text)));
  walk(src.sf, (n) => {
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && isStore(n.expression.expression)) {
      const method = n.expression.name.text;
      if (!storeMethods.includes(method)) problems.push(`${at(src, n)}: ${method} is not a DocumentStore method`);
      calls.push({ where: at(src, n), method, keys: keyPatternsOf(src, n.arguments[0]!) });
    }
    // The store handed on as an argument is followed through the callee's `DocumentStore` parameter.
    if (ts.isPropertyAccessExpression(n) && n.name.text === 'documents' && !ts.isPropertyAccessExpression(n.parent) && !ts.isCallExpression(n.parent)) {
      problems.push(`${at(src, n)}: the document store is aliased here; call it directly or pass it to a DocumentStore parameter`);
    }
    if (src.rel !== 'worker/db/schema.ts' && (ts.isPropertyAssignment(n) || ts.isShorthandPropertyAssignment(n)) && n.name.getText(src.sf) === 'documentKey') {
      storedKeys.push(...keyPatternsOf(src, ts.isPropertyAssignment(n) ? n.initializer : n.name));
    }
  });
}
const built = (ks: KeySource[]) => ks.flatMap((k) => (k === 'stored' ? storedKeys : [k])) as Array<{ pattern: string; via: string }>;

// ---- the S3 requests each store method makes, on a recording fetch ----
const requests: Array<{ method: string; url: URL; headers: Headers; op: string }> = [];
const ARGS: Record<string, (key: string) => unknown[]> = {
  put: (k) => [k, new Uint8Array([37, 80, 68, 70]), 'application/pdf'],
  get: (k) => [k],
  delete: (k) => [k],
  deleteMany: (k) => [[k]],
};
/** Web Crypto as in workerd, which has the non-standard MD5 digest (Content-MD5 of DeleteObjects). */
const realSubtle = webcrypto.subtle;
const workerdCrypto = {
  getRandomValues: <T extends ArrayBufferView>(a: T) => webcrypto.getRandomValues(a as never) as T,
  subtle: new Proxy(realSubtle, {
    get(target, prop) {
      if (prop === 'digest') {
        return (alg: string | { name: string }, data: ArrayBuffer | ArrayBufferView) =>
          (typeof alg === 'string' ? alg : alg.name) === 'MD5'
            ? Promise.resolve(new Uint8Array(createHash('md5').update(ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data)).digest()).buffer)
            : target.digest(alg, data as ArrayBuffer);
      }
      const v = Reflect.get(target, prop);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  }),
};
function iamAction(method: string, url: URL): string {
  const query = [...url.searchParams.keys()];
  if (method === 'PUT' && query.length === 0) return 's3:PutObject';
  if ((method === 'GET' || method === 'HEAD') && query.length === 0) return 's3:GetObject';
  if (method === 'DELETE' && query.length === 0) return 's3:DeleteObject';
  if (method === 'POST' && query.includes('delete')) return 's3:DeleteObject'; // DeleteObjects is authorised per key
  throw new Error(`teach docs-s3-policy.test.ts the IAM action of ${method} ${url.search}`);
}
async function actionsOf(method: string): Promise<Array<{ action: string; headers: Headers }>> {
  const args = ARGS[method];
  if (!args) throw new Error(`teach docs-s3-policy.test.ts how to call DocumentStore.${method}`);
  const store = new S3DocumentStore({ endpoint: vars.S3_ENDPOINT!, region: vars.S3_REGION!, bucket, accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x'.repeat(40), kmsKeyId: vars.S3_KMS_KEY_ID });
  const start = requests.length;
  if (method === 'deleteMany') vi.stubGlobal('crypto', workerdCrypto);
  vi.stubGlobal('fetch', async (req: Request) => {
    requests.push({ method: req.method, url: new URL(req.url), headers: req.headers, op: method });
    if (req.method === 'POST') return new Response('<?xml version="1.0"?><DeleteResult><Deleted><Key>probe/key.pdf</Key></Deleted></DeleteResult>', { status: 200 });
    return new Response(req.method === 'GET' ? 'body' : null, { status: 200 });
  });
  await (store as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!(...args('probe/key.pdf'));
  return requests.slice(start).map((r) => {
    if (r.method === 'POST') expect(r.url.pathname, 'DeleteObjects: POST /<bucket>?delete').toMatch(new RegExp(`^/${bucket}/?$`));
    else expect(r.url.pathname, 'path-style URL: /<bucket>/<key>').toBe(`/${bucket}/probe/key.pdf`);
    return { action: iamAction(r.method, r.url), headers: r.headers };
  });
}
afterEach(() => vi.unstubAllGlobals());

/** Every (action, key pattern) the worker needs, with where it comes from. */
async function needed() {
  const out: Array<{ action: string; pattern: string; why: string }> = [];
  for (const call of calls) for (const { action } of await actionsOf(call.method)) for (const k of built(call.keys)) out.push({ action, pattern: k.pattern, why: `${call.where} ${call.method}(${k.via})` });
  return out;
}
const sample = (pattern: string) => pattern.replaceAll(MARK, 'fax_0123456789abcdefghijklmn');
/** The fixed start of a key: what a resource may not be wider than. */
const fixedPart = (pattern: string) => pattern.split(MARK)[0]!;
const literalPart = (resource: string) => resource.split(/[*?]/)[0]!;

describe('the document keys the worker uses', () => {
  it('are found: every key is built by worker/documents/keys.ts and every builder is used', () => {
    expect(problems).toEqual([]);
    expect(storeMethods.sort()).toEqual(['delete', 'deleteMany', 'get', 'put']);
    expect(calls.length).toBeGreaterThanOrEqual(8);
    const used = new Set(calls.flatMap((c) => built(c.keys)).map((k) => k.via));
    expect([...used].sort()).toEqual(Object.keys(keys).sort());
    expect(new Set(storedKeys.map((k) => k !== 'stored' && k.via))).toEqual(new Set(['outboundDocumentKey', 'inboundDocumentKey']));
  });

  it('are listed in the deployment guide with their prefixes', () => {
    for (const name of Object.keys(keys)) {
      const value = (keys as Record<string, unknown>)[name];
      const pattern = typeof value === 'function' ? (value as (id: string) => string)(MARK) : String(value);
      const shown = new RegExp('`' + pattern.split(MARK).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('<[a-z ]+>') + '`');
      expect(doc, name).toMatch(shown);
    }
  });
});

describe('the IAM policy in docs/deployment.md', () => {
  const allows = iamPolicy.Statement;

  it('grants every action on every key the worker uses', async () => {
    const missing = (await needed()).filter(
      (n) => !allows.some((s) => s.Effect === 'Allow' && list(s.Action).includes(n.action) && list(s.Resource).some((r) => glob(r).test(objectArn(sample(n.pattern))))),
    );
    expect(missing.map((m) => `${m.action} on ${sample(m.pattern)} (${m.why})`)).toEqual([]);
  });

  it('grants the KMS actions SSE-KMS needs, on the configured key, through S3 only', async () => {
    const puts = await actionsOf('put');
    expect(puts.every((p) => p.headers.get('x-amz-server-side-encryption') === 'aws:kms')).toBe(true);
    const kms = allows.filter((s) => list(s.Action).some((a) => a.startsWith('kms:')));
    expect(kms.flatMap((s) => list(s.Action)).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    for (const s of kms) {
      expect(list(s.Resource)).toEqual([vars.S3_KMS_KEY_ID]);
      expect(s.Condition?.StringEquals?.['kms:ViaService']).toBe(`s3.${vars.S3_REGION}.amazonaws.com`);
    }
  });

  it('grants nothing broader than that', async () => {
    const need = await needed();
    for (const s of allows) {
      expect(s.Effect, s.Sid).toBe('Allow');
      expect(Object.keys(s).filter((k) => k.startsWith('Not')), s.Sid).toEqual([]);
      for (const action of list(s.Action)) {
        expect(action, `${s.Sid}: no wildcard actions`).not.toMatch(/[*?]/);
        if (action.startsWith('kms:')) continue;
        if (action === 's3:ListBucket') {
          expect(list(s.Resource), `${s.Sid}: ListBucket is a bucket action`).toEqual([`arn:aws:s3:::${bucket}`]);
          continue;
        }
        const forAction = need.filter((n) => n.action === action);
        expect(forAction.length, `${s.Sid}: ${action} is never used`).toBeGreaterThan(0);
        for (const resource of list(s.Resource)) {
          expect(resource, `${s.Sid}: object actions name objects of ${bucket}`).toMatch(new RegExp(`^arn:aws:s3:::${bucket}/.`));
          const ok = forAction.some((n) => glob(resource).test(objectArn(sample(n.pattern))) && literalPart(resource).startsWith(objectArn(fixedPart(n.pattern))));
          expect(ok, `${s.Sid}: ${action} on ${resource} is wider than any key the worker uses it on`).toBe(true);
        }
      }
    }
  });
});

describe('the bucket policy in docs/deployment.md', () => {
  const denies = bucketPolicy.Statement;
  /** Whether a Deny statement's StringNotEquals condition matches a request with these headers. */
  const denied = (s: Statement, headers: Headers) =>
    Object.entries(s.Condition?.StringNotEquals ?? {}).every(([key, value]) => headers.get(key.replace(/^s3:/, '')) !== value);

  it('only denies, for everyone, on this bucket', () => {
    for (const s of denies) {
      expect([s.Effect, s.Principal], s.Sid).toEqual(['Deny', '*']);
      for (const r of list(s.Resource)) expect(r).toMatch(new RegExp(`^arn:aws:s3:::${bucket}(/\\*)?$`));
    }
    const tls = denies.find((s) => s.Condition?.Bool?.['aws:SecureTransport'] === 'false')!;
    expect(list(tls.Resource).sort()).toEqual([`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`]);
    expect(vars.S3_ENDPOINT).toMatch(/^https:\/\//);
  });

  it("refuses puts without SSE-KMS or with another key, and lets the worker's puts through", async () => {
    const putDenies = denies.filter((s) => list(s.Action).includes('s3:PutObject') && s.Condition?.StringNotEquals);
    const plain = new Headers({ 'content-type': 'application/pdf' });
    const otherKey = new Headers({ 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': 'arn:aws:kms:us-east-1:111122223333:key/OTHER' });
    expect(putDenies.some((s) => denied(s, plain))).toBe(true);
    expect(putDenies.some((s) => denied(s, otherKey))).toBe(true);
    for (const { headers } of await actionsOf('put')) expect(putDenies.filter((s) => denied(s, headers)).map((s) => s.Sid)).toEqual([]);
  });
});

it('describes retention deletion, not the old "does not delete" caveat', () => {
  expect(doc).not.toMatch(/does not delete documents/i);
  expect(doc).toMatch(/ARTIFACT_RETENTION_DAYS/);
  expect(doc).toMatch(/INBOUND_RETENTION_DAYS/);
});

// Every error code the worker can send is in docs/api.md's Errors table with its HTTP status, and
// the table lists nothing the worker no longer sends. Codes are collected from the parsed source:
// `new ApiError(status, 'code', …)` (following a code passed in as a parameter), and literal
// `error: { code }` bodies (the error handler, 404/405, readiness). WebSocket `type: 'error'`
// frames go to docs/agent-protocol.md instead.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT, at, constInitializer, sources, walk, type Source } from '../support/worker-source.ts';

interface Emitted {
  code: string;
  /** Undefined when the source does not fix it (e.g. a framework error's own status). */
  status?: number;
  where: string;
}
const http: Emitted[] = [];
const ws: Emitted[] = [];
const problems: string[] = [];

const num = (e: ts.Expression | undefined) => (e && ts.isNumericLiteral(e) ? Number(e.text) : undefined);
const str = (e: ts.Node | undefined) => (e && (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) ? e.text : undefined);
const propName = (p: ts.ObjectLiteralElementLike) => (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined);
const prop = (o: ts.ObjectLiteralExpression, name: string) =>
  o.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && propName(p) === name);

function enclosingFunction(n: ts.Node): ts.FunctionDeclaration | undefined {
  for (let p = n.parent; p; p = p.parent) if (ts.isFunctionDeclaration(p)) return p;
  return undefined;
}

/** `new ApiError(status, code, …)`: the code is a literal, or a parameter filled in by the callers in this file. */
function apiError(src: Source, n: ts.NewExpression) {
  const [s, c] = n.arguments ?? [];
  const status = num(s);
  if (status === undefined) return problems.push(`${at(src, n)}: the status is not a number literal`);
  if (str(c) !== undefined) return http.push({ code: str(c)!, status, where: at(src, n) });
  const fn = enclosingFunction(n);
  const index = fn?.parameters.findIndex((p) => ts.isIdentifier(p.name) && c && ts.isIdentifier(c) && p.name.text === c.text) ?? -1;
  if (!fn?.name || index < 0) return problems.push(`${at(src, n)}: cannot follow the code \`${c?.getText(src.sf)}\``);
  walk(src.sf, (call) => {
    if (!ts.isCallExpression(call) || !ts.isIdentifier(call.expression) || call.expression.text !== fn.name!.text) return;
    const code = str(call.arguments[index]);
    if (code === undefined) problems.push(`${at(src, call)}: the code passed to ${fn.name!.text} is not a literal`);
    else http.push({ code, status, where: at(src, call) });
  });
}

/** The status of a literal `error: { code }` body: `c.json(body, N)`, or `status = N` next to it. */
function statusOf(n: ts.Node): number | undefined {
  for (let p = n.parent; p; p = p.parent) {
    if (ts.isCallExpression(p) && ts.isPropertyAccessExpression(p.expression) && p.expression.name.text === 'json') return num(p.arguments[1]);
    if (ts.isBlock(p)) {
      const assigned = p.statements.flatMap((st) =>
        ts.isExpressionStatement(st) && ts.isBinaryExpression(st.expression) && st.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
        st.expression.left.getText() === 'status' ? [st.expression.right] : [],
      );
      if (assigned.length) return num(assigned[0]);
    }
    if (ts.isFunctionLike(p)) {
      let initial: number | undefined;
      walk(p, (d) => {
        if (ts.isVariableDeclaration(d) && d.name.getText() === 'status') initial = num(d.initializer);
      });
      return initial;
    }
  }
  return undefined;
}

/** `code: …` in an `error: {…}` body: literals, plus a lookup table such as `HTTP_CODES[status] ?? 'http_error'`. */
function errorBody(src: Source, code: ts.PropertyAssignment) {
  const lit = str(code.initializer);
  if (lit !== undefined) return http.push({ code: lit, status: statusOf(code), where: at(src, code) });
  let found = 0;
  walk(code.initializer, (e) => {
    if (str(e) !== undefined) {
      found++;
      http.push({ code: str(e)!, where: at(src, e) });
    }
    if (ts.isElementAccessExpression(e) && ts.isIdentifier(e.expression)) {
      const table = constInitializer(src, e.expression.text);
      if (table && ts.isObjectLiteralExpression(table)) {
        for (const p of table.properties) {
          if (!ts.isPropertyAssignment(p) || !p.name || !ts.isNumericLiteral(p.name) || str(p.initializer) === undefined) continue;
          found++;
          http.push({ code: str(p.initializer)!, status: Number(p.name.text), where: at(src, p) });
        }
      }
    }
  });
  if (!found && code.initializer.getText(src.sf) !== 'this.code') problems.push(`${at(src, code)}: cannot read the code \`${code.initializer.getText(src.sf)}\``);
}

for (const src of sources('worker')) {
  walk(src.sf, (n) => {
    if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'ApiError') apiError(src, n);
    if (!ts.isPropertyAssignment(n) || propName(n) !== 'code' || !ts.isObjectLiteralExpression(n.parent)) return;
    const owner = n.parent.parent;
    if (ts.isPropertyAssignment(owner) && propName(owner) === 'error') errorBody(src, n);
    else if (str(prop(n.parent, 'type')?.initializer) === 'error' && str(n.initializer)) ws.push({ code: str(n.initializer)!, where: at(src, n) });
    else if (str(n.initializer) !== undefined) problems.push(`${at(src, n)}: \`code: '${str(n.initializer)}'\` is neither an HTTP error body nor a WebSocket error frame`);
  });
}

/** docs/api.md `## Errors`: code -> the statuses its row names (none for `any`). */
function documented(): Map<string, number[]> {
  const md = readFileSync(path.join(ROOT, 'docs/api.md'), 'utf8');
  const section = md.split(/^## Errors\s*$/m)[1]?.split(/^## /m)[0] ?? '';
  const rows = new Map<string, number[]>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 4 || !/^(\d{3}|any)$/.test(cells[1]!)) continue;
    for (const [, code] of cells[2]!.matchAll(/`([a-z_]+)`/g)) {
      rows.set(code!, [...(rows.get(code!) ?? []), ...(cells[1] === 'any' ? [] : [Number(cells[1])])]);
    }
  }
  return rows;
}

describe('docs/api.md error table', () => {
  const table = documented();

  it('the collector understands every error in the source', () => {
    expect(problems).toEqual([]);
    expect(http.length).toBeGreaterThan(60);
    // Known codes from each kind of site, so a collector that silently finds nothing fails here.
    const codes = new Set(http.map((e) => e.code));
    for (const c of ['invalid_site', 'rate_limited', 'too_many_auth_failures', 'not_found', 'method_not_allowed', 'internal_error', 'http_error', 'payload_too_large', 'not_ready']) {
      expect(codes, c).toContain(c);
    }
  });

  it('lists every code the worker sends, with its status', () => {
    const missing = [...new Set(http.filter((e) => !table.has(e.code)).map((e) => `${e.code} (${e.status ?? '?'}, ${e.where})`))];
    expect(missing).toEqual([]);
    const wrongStatus = http.filter((e) => e.status !== undefined && table.has(e.code) && !table.get(e.code)!.includes(e.status));
    expect(wrongStatus.map((e) => `${e.code}: ${e.status} at ${e.where}, documented ${table.get(e.code)!.join('/')}`)).toEqual([]);
  });

  it('lists nothing the worker does not send', () => {
    const sent = new Set(http.map((e) => e.code));
    expect([...table.keys()].filter((c) => !sent.has(c))).toEqual([]);
    for (const [code, statuses] of table) {
      const known = http.filter((e) => e.code === code).map((e) => e.status);
      if (known.includes(undefined)) continue;
      expect(statuses.filter((s) => !known.includes(s)), `${code}: documented statuses never sent`).toEqual([]);
    }
  });
});

it('WebSocket error frames are in docs/agent-protocol.md', () => {
  const md = readFileSync(path.join(ROOT, 'docs/agent-protocol.md'), 'utf8');
  expect(ws.length).toBeGreaterThan(0);
  for (const e of ws) expect(md, e.where).toContain(`\`${e.code}\``);
});

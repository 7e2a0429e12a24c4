// docs/agent-protocol.md against shared/agent-protocol.ts: every length and range the message
// tables and the inbound upload table give (`≤N`, `A–B`) is the zod schema's, the tables list
// exactly the message types, and the ids, token shape and failure reasons match.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { AGENT_TOKEN_RE, FAILURE_REASONS, agentMessage, edgeMessage, inboundUploadFields } from '../../shared/agent-protocol.ts';
import { ROOT } from '../support/worker-source.ts';

const doc = readFileSync(path.join(ROOT, 'docs/agent-protocol.md'), 'utf8');

// ---- zod introspection (zod 4 keeps the definition under _zod.def) ----
interface Def {
  type: string;
  checks?: Array<{ _zod: { def: Record<string, unknown> } }>;
  innerType?: Schema;
  element?: Schema;
  shape?: Record<string, Schema>;
  getter?: () => Schema;
  options?: Schema[];
}
type Schema = z.ZodType & { _zod: { def: Def } };
const def = (s: Schema) => s._zod.def;

function unwrap(s: Schema): Schema {
  const d = def(s);
  if (d.innerType && ['optional', 'nullable', 'default'].includes(d.type)) return unwrap(d.innerType);
  if (d.type === 'lazy') return unwrap(d.getter!());
  return s;
}
const shapeOf = (s: Schema) => (s as unknown as { shape?: Record<string, Schema> }).shape;

/** The first field called `name` anywhere inside `s` (objects, array elements, lazy, optional). */
function find(s: Schema, name: string): Schema | undefined {
  const u = unwrap(s);
  const shape = shapeOf(u);
  if (shape?.[name]) return shape[name];
  for (const child of [...Object.values(shape ?? {}), ...(def(u).element ? [def(u).element!] : [])]) {
    const hit = find(child, name);
    if (hit) return hit;
  }
  return undefined;
}

/** { kind, min, max } of a string (length), number (value) or array (items). */
function limits(s: Schema) {
  const u = unwrap(s);
  const out: { kind: string; min?: number; max?: number } = { kind: def(u).type };
  for (const c of def(u).checks ?? []) {
    const d = c._zod.def as Record<string, unknown>;
    if (d.check === 'min_length') out.min = d.minimum as number;
    if (d.check === 'max_length') out.max = d.maximum as number;
    if (d.check === 'greater_than' && d.inclusive) out.min = d.value as number;
    if (d.check === 'less_than' && d.inclusive) out.max = d.value as number;
  }
  return out;
}

// ---- the doc's tables ----
const rowsOf = (heading: RegExp) => {
  const start = doc.search(heading);
  const lines = doc.slice(start).split('\n').slice(1);
  const table = lines.slice(lines.findIndex((l) => l.startsWith('|')));
  return table.slice(0, table.findIndex((l) => !l.startsWith('|'))).slice(2).map((l) => l.split(/(?<!\\)\|/).map((c) => c.trim()).slice(1, -1));
};
const agentRows = rowsOf(/^Agent → edge:$/m);
const edgeRows = rowsOf(/^Edge → agent:$/m);
const uploadRows = rowsOf(/^\*\*Inbound fax upload\*\*/m).filter((r) => r[0] !== 'field');
const typesOf = (rows: string[][]) => rows.flatMap((r) => [...r[0]!.matchAll(/`(\w+)`/g)].map((m) => m[1]!));
const member = (union: Schema, type: string) => def(union).options!.find((o) => (shapeOf(o)!.type as unknown as { value: string }).value === type)!;

const LIMIT = /≤\s?(\d+(?:,\d{3})*)|(\d+(?:,\d{3})*)–(\d+(?:,\d{3})*)/g;
const n = (s: string) => Number(s.replace(/,/g, ''));
interface Documented { where: string; field: string; array: boolean; min?: number; max: number; schema: Schema }

const typeOf = (cell: string) => [...cell.matchAll(/`(\w+)`/g)].map((m) => m[1]!).slice(0, 1);

/** Each limit in a message row's fields cell belongs to the identifier just before it. */
function messageLimits(union: Schema, rows: string[][]): Documented[] {
  return rows.flatMap(([typeCell, fields]) =>
    typeOf(typeCell!).flatMap((type) =>
      [...fields!.matchAll(LIMIT)].map((m) => {
        const before = fields!.slice(0, m.index).replace(/[`(){}]/g, ' ');
        const [, field, brackets] = /([A-Za-z_]\w*)(\[\])?\??[\s,]*$/.exec(before) ?? [];
        return { where: `${type}: ${m[0]}`, field: field ?? '?', array: !!brackets, min: m[2] ? n(m[2]) : undefined, max: n(m[1] ?? m[3]!), schema: member(union, type) };
      }),
    ),
  );
}

/** The upload table: the rule cell's first limit applies to every field named in the row. */
const uploadLimits: Documented[] = uploadRows.flatMap(([names, rule]) => {
  const m = [...rule!.matchAll(LIMIT)][0];
  if (!m) return [];
  return [...names!.matchAll(/`(\w+)`/g)].map(([, field]) => ({
    where: `upload ${field}: ${m[0]}`, field: field!, array: false, min: m[2] ? n(m[2]) : undefined, max: n(m[1] ?? m[3]!), schema: inboundUploadFields as unknown as Schema,
  }));
});

const documented = [
  ...messageLimits(agentMessage as unknown as Schema, agentRows),
  ...messageLimits(edgeMessage as unknown as Schema, edgeRows),
  ...uploadLimits,
];

describe('docs/agent-protocol.md limits', () => {
  it('are found in the tables', () => {
    expect(documented.length).toBeGreaterThanOrEqual(15);
    expect(documented.map((d) => d.field)).toContain('remote_station_id');
  });

  it('match the zod schemas', () => {
    const wrong = documented.flatMap((d) => {
      const field = find(d.schema, d.field);
      if (!field) return [`${d.where}: no field ${d.field} in the schema`];
      const got = limits(field);
      if (d.array && got.kind !== 'array') return [`${d.where}: ${d.field} is documented as a list but is a ${got.kind}`];
      const want = { max: d.max, ...(d.min !== undefined ? { min: d.min } : {}) };
      const have = { max: got.max, ...(d.min !== undefined ? { min: got.min } : {}) };
      return JSON.stringify(want) === JSON.stringify(have) ? [] : [`${d.where}: documented ${JSON.stringify(want)}, schema ${JSON.stringify(have)} (${d.field})`];
    });
    expect(wrong).toEqual([]);
  });

  it('remote_station_id is 200 characters in both directions', () => {
    expect(limits(inboundUploadFields.shape.remote_station_id as unknown as Schema).max).toBe(200);
    expect(doc).toMatch(/\| `remote_station_id` \| optional, ≤200 chars \|/);
    expect(doc).toMatch(/`remoteStationId\?` \(≤200\)/);
  });
});

describe('docs/agent-protocol.md messages and ids', () => {
  const types = (union: unknown) => def(union as Schema).options!.map((o) => (shapeOf(o)!.type as unknown as { value: string }).value).sort();

  it('list every message type of each direction', () => {
    expect([...new Set(typesOf(agentRows))].sort()).toEqual(types(agentMessage));
    expect([...new Set(typesOf(edgeRows))].sort()).toEqual(types(edgeMessage));
  });

  it('give the id and token shapes of the schema', () => {
    const pattern = (s: Schema) => String(def(unwrap(s)).checks!.map((c) => (c._zod.def as unknown as { pattern?: unknown }).pattern).find(Boolean));
    const accept = member(agentMessage as unknown as Schema, 'accept');
    const [, jobId, offerId] = /`jobId` is `([^`]+)` and `offerId` is `([^`]+)`/.exec(doc) ?? [];
    expect(pattern(find(accept, 'jobId')!)).toBe(`/^${jobId}$/`);
    expect(pattern(find(accept, 'offerId')!)).toBe(`/^${offerId}$/`);
    expect(doc).toContain('`Authorization: Bearer fba_<16-char token id>_<43-char secret>`');
    expect(AGENT_TOKEN_RE.source).toBe('^fba_([a-z0-9]{16})_([A-Za-z0-9_-]{43})$');
  });

  it('give the edge-side numbers the prose quotes', () => {
    const source = (rel: string) => readFileSync(path.join(ROOT, rel), 'utf8');
    const errorCap = /code: 'invalid_message', message: parsed\.error\.slice\(0, (\d+)\)/.exec(source('worker/agents/agent-hub.ts'))?.[1];
    expect(doc).toContain(`(zod issues, ≤${errorCap} chars)`);
    const linkMinutes = /const DOCUMENT_LINK_MINUTES = (\d+);/.exec(source('worker/agents/offer.ts'))?.[1];
    expect(doc).toContain(`valid for ${linkMinutes} minutes`);
  });

  it('list the failure reasons of the schema', () => {
    const para = /`reason` takes one of these values[^:]*:([^]*?)\.\n/.exec(doc)?.[1] ?? '';
    expect([...para.matchAll(/`(\w+)`/g)].map((m) => m[1]).sort()).toEqual([...FAILURE_REASONS].sort());
  });
});

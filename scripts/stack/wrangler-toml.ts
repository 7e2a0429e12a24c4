// Reads what plain workerd needs from wrangler.toml: name, compatibility date and flags, [vars],
// Durable Object bindings (SQLite-backed or not, from the migrations) and cron triggers. A small
// TOML reader for the subset wrangler.toml uses (tables, arrays of tables, strings, numbers,
// booleans, arrays); anything else fails loudly rather than being misread. Importing wrangler's
// own reader costs seconds of CPU per start, which the harness pays on every test run.
import { readFileSync } from 'node:fs';

export interface DurableObjectClass {
  binding: string;
  className: string;
  /** Declared in a migration's `new_sqlite_classes`: the namespace needs `enableSql`. */
  sql: boolean;
}

export interface WranglerProject {
  name: string;
  main: string;
  compatibilityDate: string;
  compatibilityFlags: string[];
  vars: Record<string, string>;
  durableObjects: DurableObjectClass[];
  crons: string[];
}

export function readWranglerProject(file: string): WranglerProject {
  const t = parseToml(readFileSync(file, 'utf8'));
  const str = (v: unknown, what: string): string => {
    if (typeof v !== 'string') throw new Error(`${file}: ${what} must be a string`);
    return v;
  };
  const list = (v: unknown): Array<Record<string, unknown>> => (Array.isArray(v) ? v : []);
  const sqlite = new Set<string>();
  for (const m of list(t.migrations)) {
    for (const c of (m.new_sqlite_classes as string[] | undefined) ?? []) sqlite.add(c);
    for (const c of (m.deleted_classes as string[] | undefined) ?? []) sqlite.delete(c);
  }
  const dos = (t.durable_objects as { bindings?: unknown } | undefined)?.bindings;
  return {
    name: str(t.name, 'name'),
    main: str(t.main, 'main'),
    compatibilityDate: str(t.compatibility_date, 'compatibility_date'),
    compatibilityFlags: ((t.compatibility_flags as string[] | undefined) ?? []).map((f) => str(f, 'a compatibility flag')),
    vars: Object.fromEntries(Object.entries((t.vars as Record<string, unknown> | undefined) ?? {}).map(([k, v]) => [k, String(v)])),
    durableObjects: list(dos).map((b) => {
      if (b.script_name !== undefined) throw new Error(`${file}: Durable Object ${String(b.name)} lives in another worker (script_name), which this harness does not run`);
      const className = str(b.class_name, 'durable_objects.bindings.class_name');
      return { binding: str(b.name, 'durable_objects.bindings.name'), className, sql: sqlite.has(className) };
    }),
    crons: (((t.triggers as { crons?: unknown[] } | undefined)?.crons) ?? []).map((c) => str(c, 'a cron expression')),
  };
}

type Table = Record<string, unknown>;

/** Parses the TOML subset described above; throws with a line number on anything else. */
export function parseToml(text: string): Table {
  const root: Table = {};
  let table = root;
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`TOML line ${text.slice(0, i).split('\n').length}: ${why}`);
  };
  const skip = (newlines: boolean) => {
    for (;;) {
      const c = text[i];
      if (c === ' ' || c === '\t' || c === '\r' || (newlines && c === '\n')) i++;
      else if (c === '#') while (i < text.length && text[i] !== '\n') i++;
      else return;
    }
  };
  const endOfLine = () => {
    skip(false);
    if (i < text.length && text[i] !== '\n') fail('expected the end of the line');
  };
  const key = (): string[] => {
    const parts: string[] = [];
    for (;;) {
      skip(false);
      if (text[i] === '"' || text[i] === "'") parts.push(stringValue());
      else {
        const m = /^[A-Za-z0-9_-]+/.exec(text.slice(i));
        if (!m) fail('expected a key');
        parts.push(m![0]);
        i += m![0].length;
      }
      skip(false);
      if (text[i] !== '.') return parts;
      i++;
    }
  };
  const stringValue = (): string => {
    const q = text[i];
    if (text.startsWith(q!.repeat(3), i)) fail('multi-line strings are not supported');
    let j = i + 1;
    while (j < text.length && text[j] !== q && text[j] !== '\n') j += q === '"' && text[j] === '\\' ? 2 : 1;
    if (text[j] !== q) fail('unterminated string');
    const raw = text.slice(i, j + 1);
    i = j + 1;
    return q === '"' ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  };
  const value = (): unknown => {
    const c = text[i];
    if (c === '"' || c === "'") return stringValue();
    if (c === '[') {
      i++;
      const items: unknown[] = [];
      for (;;) {
        skip(true);
        if (text[i] === ']') break;
        items.push(value());
        skip(true);
        if (text[i] === ',') i++;
        else if (text[i] !== ']') fail('expected , or ] in an array');
      }
      i++;
      return items;
    }
    const m = /^(true|false|[+-]?\d[\d_]*(\.\d+)?)(?=[\s,\]#]|$)/.exec(text.slice(i));
    if (!m) return fail('unsupported value (inline tables, dates and multi-line strings are not read)');
    i += m[0].length;
    return m[0] === 'true' ? true : m[0] === 'false' ? false : Number(m[0].replace(/_/g, ''));
  };
  const descend = (from: Table, path: string[]): Table => {
    let t = from;
    for (const p of path) {
      const next = t[p] ?? (t[p] = {});
      t = (Array.isArray(next) ? next[next.length - 1] : next) as Table;
      if (typeof t !== 'object' || t === null) fail(`${path.join('.')} is not a table`);
    }
    return t;
  };
  for (;;) {
    skip(true);
    if (i >= text.length) return root;
    if (text.startsWith('[[', i)) {
      i += 2;
      const path = key();
      if (!text.startsWith(']]', i)) fail('expected ]]');
      i += 2;
      const parent = descend(root, path.slice(0, -1));
      const last = path[path.length - 1]!;
      const arr = (parent[last] ??= []) as Table[];
      if (!Array.isArray(arr)) fail(`${path.join('.')} is not an array of tables`);
      table = {};
      arr.push(table);
    } else if (text[i] === '[') {
      i++;
      const path = key();
      if (text[i] !== ']') fail('expected ]');
      i++;
      table = descend(root, path);
    } else {
      const path = key();
      if (text[i] !== '=') fail('expected =');
      i++;
      skip(false);
      descend(table, path.slice(0, -1))[path[path.length - 1]!] = value();
    }
    endOfLine();
  }
}

// Agent configuration from the environment and/or a JSON file (FAXBOT_AGENT_CONFIG; the environment wins),
// validated with zod. Problems name the variable and never echo secret values.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AGENT_TOKEN_RE } from '../shared/agent-protocol.ts';
import { LOG_LEVELS } from './logger.ts';
import type { LogLevel } from './logger.ts';

export interface AgentConfig {
  /** Base URL of the edge API, without trailing slash (http(s)://host[:port][/prefix]). */
  edgeUrl: string;
  /** WebSocket URL derived from edgeUrl: ws(s)://.../agent/connect. */
  edgeWsUrl: string;
  agentToken?: string;
  agentTokenFile?: string;
  ami: { host: string; port: number; username: string; secret: string; authType: 'md5' | 'plain' };
  amiContext: string;
  /** Dial string with `{number}` (E.164, with '+'), e.g. `PJSIP/{number}@trunk`. */
  amiChannelTemplate: string;
  maxChannels: number;
  spoolDir: string;
  /** The same spool directory as Asterisk sees it (differs when the agent runs in a container). */
  asteriskSpoolDir: string;
  callDeadlineSeconds: number;
  healthHost: string;
  /** 0 = no health server. */
  healthPort: number;
  shutdownTimeoutSeconds: number;
  allowInsecureEdge: boolean;
  logLevel: LogLevel;
  /** Page size every PDF page is fitted to before faxing. */
  faxPaperSize: 'letter' | 'a4';
}

export type LoadResult = { ok: true; config: AgentConfig } | { ok: false; problems: string[] };

/** Reads the JSON config file; injectable for tests. */
export type FileReader = (file: string) => string;

const KNOWN = [
  'EDGE_URL', 'AGENT_TOKEN', 'AGENT_TOKEN_FILE', 'AMI_HOST', 'AMI_PORT', 'AMI_USERNAME', 'AMI_SECRET', 'AMI_AUTH',
  'AMI_CONTEXT', 'AMI_CHANNEL_TEMPLATE', 'MAX_CHANNELS', 'SPOOL_DIR', 'ASTERISK_SPOOL_DIR', 'CALL_DEADLINE_SECONDS',
  'HEALTH_HOST', 'HEALTH_PORT', 'SHUTDOWN_TIMEOUT_SECONDS', 'AGENT_ALLOW_INSECURE_EDGE', 'LOG_LEVEL', 'FAX_PAPER_SIZE',
] as const;

type Raw = Partial<Record<(typeof KNOWN)[number], string>>;

const required = z.string({ error: 'is required' }).trim().min(1, 'is required');
const optional = z.string().trim().optional().transform((v) => (v === '' ? undefined : v));

function int(def: number, min: number, max: number) {
  return optional.transform((v, ctx) => {
    if (v === undefined) return def;
    const n = /^\d+$/.test(v) ? Number(v) : Number.NaN;
    if (Number.isInteger(n) && n >= min && n <= max) return n;
    ctx.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max}` });
    return z.NEVER;
  });
}

function bool(def: boolean) {
  return optional.transform((v, ctx) => {
    if (v === undefined) return def;
    const s = v.toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(s)) return true;
    if (['false', '0', 'no', 'off'].includes(s)) return false;
    ctx.addIssue({ code: 'custom', message: 'must be true or false' });
    return z.NEVER;
  });
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T, def: T[number]) {
  return optional.transform((v, ctx): T[number] => {
    if (v === undefined) return def;
    const s = v.toLowerCase();
    if ((values as readonly string[]).includes(s)) return s;
    ctx.addIssue({ code: 'custom', message: `must be one of ${values.join(', ')}` });
    return z.NEVER;
  });
}

/** Paths end up in dialplan variables (FAXFILE): Asterisk splits on commas and eats quotes/backslashes. */
const spoolPath = (v: string) => !/[,"\\\r\n\s]/.test(v);
const SPOOL_MSG = 'must be a path without commas, quotes, backslashes or spaces';

const schema = z.object({
  EDGE_URL: required,
  AGENT_TOKEN: optional.refine((v) => v === undefined || AGENT_TOKEN_RE.test(v), 'is not an agent token (expected fba_<16 chars>_<43 chars>)'),
  AGENT_TOKEN_FILE: optional,
  AMI_HOST: optional.transform((v) => v ?? '127.0.0.1'),
  AMI_PORT: int(5038, 1, 65535),
  AMI_USERNAME: required,
  AMI_SECRET: z.string({ error: 'is required' }).min(1, 'is required'),
  AMI_AUTH: oneOf(['md5', 'plain'], 'md5'),
  AMI_CONTEXT: optional
    .transform((v) => v ?? 'faxbot-send')
    .refine((v) => /^[A-Za-z0-9_-]+$/.test(v), 'must be a dialplan context name (letters, digits, _ and -)'),
  AMI_CHANNEL_TEMPLATE: required
    .refine((v) => v.includes('{number}'), 'must contain {number}, e.g. PJSIP/{number}@trunk')
    .refine((v) => /^[^\s,"\\]+$/.test(v), 'must not contain spaces, commas, quotes or backslashes'),
  MAX_CHANNELS: int(2, 1, 1000),
  SPOOL_DIR: required.refine(spoolPath, SPOOL_MSG),
  ASTERISK_SPOOL_DIR: optional.refine((v) => v === undefined || (path.isAbsolute(v) && spoolPath(v)), `must be an absolute path and ${SPOOL_MSG.slice(5)}`),
  CALL_DEADLINE_SECONDS: int(600, 30, 86_400),
  HEALTH_HOST: optional.transform((v) => v ?? '127.0.0.1'),
  HEALTH_PORT: int(9464, 0, 65535),
  SHUTDOWN_TIMEOUT_SECONDS: int(900, 0, 86_400),
  AGENT_ALLOW_INSECURE_EDGE: bool(false),
  LOG_LEVEL: oneOf(LOG_LEVELS, 'info'),
  FAX_PAPER_SIZE: oneOf(['letter', 'a4'], 'letter'),
});

/** `EDGE_URL` -> normalised base URL and WebSocket URL, or a problem. */
function edgeUrls(raw: string, allowInsecure: boolean): { base: string; ws: string } | string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'EDGE_URL: must be a URL like https://faxbot.example.org';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'EDGE_URL: must start with https://';
  if (url.protocol === 'http:' && !allowInsecure) {
    return 'EDGE_URL: must use https:// (AGENT_ALLOW_INSECURE_EDGE=true allows http:// for local development only)';
  }
  if (url.username || url.password || url.search || url.hash) return 'EDGE_URL: must not contain credentials, a query or a fragment';
  const base = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  const ws = new URL(`${base}/agent/connect`);
  ws.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return { base, ws: ws.toString() };
}

/** The JSON file's settings as strings (numbers/booleans allowed in the file), or problems. */
function readConfigFile(file: string, readFile: FileReader): { values: Raw; problems: string[] } {
  let data: unknown;
  try {
    data = JSON.parse(readFile(file));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = err instanceof SyntaxError ? 'is not valid JSON' : `cannot be read (${code ?? 'error'})`;
    return { values: {}, problems: [`FAXBOT_AGENT_CONFIG: ${file} ${why}`] };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { values: {}, problems: [`FAXBOT_AGENT_CONFIG: ${file} must contain a JSON object`] };
  }
  const values: Record<string, string> = {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (key.startsWith('_')) continue; // room for "_comment"
    if (!(KNOWN as readonly string[]).includes(key)) problems.push(`FAXBOT_AGENT_CONFIG: unknown setting ${key} in ${file}`);
    else if (['string', 'number', 'boolean'].includes(typeof value)) values[key] = String(value);
    else problems.push(`${key}: must be a string, number or boolean in ${file}`);
  }
  return { values, problems };
}

export function loadAgentConfig(env: Readonly<Record<string, string | undefined>>, readFile: FileReader = (f) => readFileSync(f, 'utf8')): LoadResult {
  const problems: string[] = [];
  const raw: Record<string, string> = {};
  const file = env.FAXBOT_AGENT_CONFIG?.trim();
  if (file) {
    const fromFile = readConfigFile(file, readFile);
    problems.push(...fromFile.problems);
    Object.assign(raw, fromFile.values);
  }
  for (const key of KNOWN) {
    const v = env[key];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.') || 'config'}: ${issue.message}`);
  }
  // Cross-field checks run on the raw values too, so one run lists every problem.
  if (!raw.AGENT_TOKEN && !raw.AGENT_TOKEN_FILE) problems.push('AGENT_TOKEN or AGENT_TOKEN_FILE: one is required');
  const insecure = /^(true|1|yes|on)$/i.test(raw.AGENT_ALLOW_INSECURE_EDGE?.trim() ?? '');
  const urls = raw.EDGE_URL?.trim() ? edgeUrls(raw.EDGE_URL.trim(), insecure) : undefined;
  if (typeof urls === 'string') problems.push(urls);
  if (!parsed.success || problems.length > 0 || typeof urls !== 'object') return { ok: false, problems };
  const c = parsed.data;
  const spoolDir = path.resolve(c.SPOOL_DIR);
  return {
    ok: true,
    config: {
      edgeUrl: urls.base,
      edgeWsUrl: urls.ws,
      agentToken: c.AGENT_TOKEN,
      agentTokenFile: c.AGENT_TOKEN_FILE === undefined ? undefined : path.resolve(c.AGENT_TOKEN_FILE),
      ami: { host: c.AMI_HOST, port: c.AMI_PORT, username: c.AMI_USERNAME, secret: c.AMI_SECRET, authType: c.AMI_AUTH },
      amiContext: c.AMI_CONTEXT,
      amiChannelTemplate: c.AMI_CHANNEL_TEMPLATE,
      maxChannels: c.MAX_CHANNELS,
      spoolDir,
      asteriskSpoolDir: c.ASTERISK_SPOOL_DIR ?? spoolDir,
      callDeadlineSeconds: c.CALL_DEADLINE_SECONDS,
      healthHost: c.HEALTH_HOST,
      healthPort: c.HEALTH_PORT,
      shutdownTimeoutSeconds: c.SHUTDOWN_TIMEOUT_SECONDS,
      allowInsecureEdge: c.AGENT_ALLOW_INSECURE_EDGE,
      logLevel: c.LOG_LEVEL,
      faxPaperSize: c.FAX_PAPER_SIZE,
    },
  };
}

// Small structured logger for the agent: one JSON line per entry on stdout, level filter, and every string
// scrubbed with `redact` (tokens, Bearer credentials, phone numbers) so no PHI or secret reaches the logs.
import { redact } from '../shared/redact.ts';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** Same sink and level, with `fields` added to every entry (e.g. { component: 'inbound' }). */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Receives each finished line (without newline). Default: process.stdout. */
  write?: (line: string) => void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function clean(fields: LogFields | undefined): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(fields ?? {})) {
    if (v === undefined) continue;
    out[k] = typeof v === 'string' ? redact(v) : v;
  }
  return out;
}

export function createLogger(options: LoggerOptions = {}, base: LogFields = {}): Logger {
  const min = RANK[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const entry = (level: LogLevel) => (msg: string, fields?: LogFields) => {
    if (RANK[level] < min) return;
    const line = { time: new Date().toISOString(), level, msg: redact(msg), ...clean(base), ...clean(fields) };
    write(JSON.stringify(line));
  };
  return {
    debug: entry('debug'),
    info: entry('info'),
    warn: entry('warn'),
    error: entry('error'),
    child: (fields) => createLogger(options, { ...base, ...fields }),
  };
}

/** The same logger, calling `hook` on every error entry (feeds faxbot_agent_last_error_timestamp_seconds). */
export function onErrors(logger: Logger, hook: () => void): Logger {
  return {
    ...logger,
    error: (msg, fields) => {
      hook();
      logger.error(msg, fields);
    },
    child: (fields) => onErrors(logger.child(fields), hook),
  };
}

/** Message of an unknown thrown value, for log lines (still redacted by the logger). */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

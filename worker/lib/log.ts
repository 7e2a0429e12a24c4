// The worker's only logger: one JSON line per event, every string passed through the shared
// redaction helper (phone numbers -> last 4 digits, tokens and Bearer credentials removed).
import { redact } from '../../shared/redact.ts';

type Level = 'info' | 'warn' | 'error';

export function log(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
  const line = redact(JSON.stringify({ level, msg, ...fields }));
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}

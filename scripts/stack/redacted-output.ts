// Forwards a child process's output (wrangler dev, workerd) line by line through the shared
// redaction helper: wrangler's own access log (`[wrangler:info] PUT /admin/inbound-numbers/… 200`)
// prints request paths, which can carry a phone number, and its lines bypass the worker's logger.
// Whole lines only, so a number split across two chunks is still masked.
import type { Readable } from 'node:stream';
import { redact } from '../../shared/redact.ts';

export function forwardRedacted(stream: Readable, opts: { out?: NodeJS.WritableStream; onLine?: (line: string) => void }): void {
  let pending = '';
  const emit = (line: string) => {
    const clean = redact(line);
    opts.out?.write(`${clean}\n`);
    if (opts.onLine && clean.trim()) opts.onLine(clean);
  };
  stream.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) emit(line);
  });
  stream.on('end', () => {
    if (pending) emit(pending);
    pending = '';
  });
}

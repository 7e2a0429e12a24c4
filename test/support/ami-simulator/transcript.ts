// Reads the recorded AMI transcripts of shared/reference/ami: blocks `@@ <time> +<s> SEND|RECV <n> bytes` ...
// `@@ END` with CRLF written out literally, turned back into bytes and AMI packets for replay tests.
import { readFileSync } from 'node:fs';
import { parseLines } from './wire.ts';
import type { Packet } from './wire.ts';

export interface TranscriptBlock {
  /** Seconds since connect. */
  at: number;
  direction: 'SEND' | 'RECV' | 'RECV-EOF';
  /** Byte count the recorder logged (paths were rewritten afterwards, so it can differ slightly). */
  bytes: number;
  data: string;
}

const BLOCK = /^@@ \S+ \+([\d.]+) (SEND|RECV|RECV-EOF) (\d+) bytes\n([\s\S]*?)^@@ END$/gm;

export function parseTranscript(text: string): TranscriptBlock[] {
  const blocks: TranscriptBlock[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const body = (m[4] ?? '').split('\n').join('').replaceAll('\\r\\n', '\r\n');
    blocks.push({ at: Number(m[1]), direction: m[2] as TranscriptBlock['direction'], bytes: Number(m[3]), data: body });
  }
  return blocks;
}

export function readTranscript(file: string): TranscriptBlock[] {
  return parseTranscript(readFileSync(file, 'utf8'));
}

/** All packets of the given direction, in order; the banner line is skipped. */
export function transcriptPackets(blocks: readonly TranscriptBlock[], direction: 'SEND' | 'RECV'): Packet[] {
  const text = blocks.filter((b) => b.direction === direction).map((b) => b.data).join('');
  const withoutBanner = text.replace(/^Asterisk Call Manager\/[^\r\n]*\r\n/, '');
  return withoutBanner.split('\r\n\r\n').map(parseLines).filter((p) => p.length > 0);
}

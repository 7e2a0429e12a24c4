// The hub's inline documents: taken once as standard base64 of the exact bytes; too large, too old
// or beyond the count and byte bounds -> absent (the offer then has its link only); the offer schema
// accepts up to INLINE_DOCUMENT_MAX_BYTES of base64 and nothing longer or malformed.
import { describe, expect, it } from 'vitest';
import { InlineDocuments } from '../../worker/agents/inline-documents.ts';
import { base64 as toBase64 } from '../../worker/lib/crypto.ts';
import { edgeMessage, INLINE_DOCUMENT_MAX_BASE64, INLINE_DOCUMENT_MAX_BYTES } from '../../shared/agent-protocol.ts';

const bytes = (n: number, seed = 1): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
const id = (i: number): string => `fax_${String(i).padStart(24, '0')}`;

describe('inline documents', () => {
  it('gives the exact bytes as standard base64, once', () => {
    const docs = new InlineDocuments();
    const pdf = bytes(100_000);
    docs.remember(id(1), pdf);
    const b64 = docs.take(id(1));
    expect(b64).toBe(Buffer.from(pdf).toString('base64'));
    expect(docs.take(id(1))).toBeUndefined();
    expect(toBase64(new Uint8Array())).toBe('');
  });

  it('ignores an empty document or one over the limit, and forgets one after a minute', () => {
    const docs = new InlineDocuments();
    docs.remember(id(1), bytes(INLINE_DOCUMENT_MAX_BYTES + 1));
    expect(docs.size).toBe(0);
    docs.remember(id(2), bytes(INLINE_DOCUMENT_MAX_BYTES), 1_000);
    expect(docs.take(id(2), 62_000)).toBeUndefined();
    docs.remember(id(3), bytes(10), 1_000);
    expect(docs.take(id(3), 60_000)).toBeDefined();
    docs.remember(id(4), new Uint8Array(), 1_000); // a released (detached) view
    docs.remember(id(5), bytes(10), 1_000);
    expect(docs.size).toBe(1);
    docs.expire(61_001); // the hub's alarm
    expect(docs.size).toBe(0);
  });

  it('holds at most 16 documents and 4 MiB, dropping the oldest first', () => {
    const docs = new InlineDocuments();
    for (let i = 0; i < 20; i++) docs.remember(id(i), bytes(10, i));
    expect(docs.size).toBe(16);
    expect(docs.take(id(3))).toBeUndefined();
    expect(docs.take(id(4))).toBe(toBase64(bytes(10, 4)));
    const big = new InlineDocuments();
    for (let i = 0; i < 16; i++) big.remember(id(i), bytes(INLINE_DOCUMENT_MAX_BYTES, i));
    expect(big.size).toBe(16); // 16 x 256 KiB is exactly 4 MiB
    big.remember(id(99), bytes(1));
    expect(big.size).toBe(16);
    expect(big.take(id(0))).toBeUndefined();
    expect(big.take(id(99))).toBeDefined();
  });

  it('the offer schema takes the largest inline document and refuses more, or what is not base64', () => {
    const offer = { v: 1, type: 'offer', offerId: `off_${'a'.repeat(20)}`, jobId: id(1), to: '+15555550100', headerText: null, pages: 1, documentUrl: 'https://edge.example/fax/x/pdf', acceptBy: 0 };
    const largest = toBase64(bytes(INLINE_DOCUMENT_MAX_BYTES));
    expect(largest.length).toBe(INLINE_DOCUMENT_MAX_BASE64);
    expect(edgeMessage.safeParse({ ...offer, document: largest }).success).toBe(true);
    expect(edgeMessage.safeParse({ ...offer, document: toBase64(bytes(INLINE_DOCUMENT_MAX_BYTES + 3)) }).success).toBe(false); // the next longer base64
    expect(edgeMessage.safeParse({ ...offer, document: 'not base64!' }).success).toBe(false);
    expect(edgeMessage.safeParse(offer).success).toBe(true);
  });
});

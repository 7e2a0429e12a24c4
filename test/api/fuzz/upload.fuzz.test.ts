// Generated-input tests of POST /fax (multipart parsing, content sniffing, number normalising):
// whatever arrives, the answer is a JSON 2xx/4xx with a stable error code — never a 5xx, never a hang.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createKey, json, workerUrl, type CreatedKey } from '../../support/api.ts';

/**
 * Sized to time, not to a count: on a loaded 2-core machine a property stops at the time box instead
 * of timing out. The test's own timeout (FUZZ_TEST_TIMEOUT) leaves room for the time box plus one
 * request's abort (10 s) and the last run's shrinking.
 */
const TIME_BOXED = { interruptAfterTimeLimit: 15000, markInterruptAsFailure: false } as const;
const FUZZ_TEST_TIMEOUT = 60_000;

let key: CreatedKey;
beforeAll(async () => {
  key = await createKey(['fax:send']);
});

async function post(body: BodyInit, contentType: string): Promise<Response> {
  return fetch(`${workerUrl()}/fax`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key.token}`, 'content-type': contentType },
    body,
    signal: AbortSignal.timeout(10_000),
  });
}

async function expectHandled(res: Response) {
  const body = await json(res);
  expect(res.status, JSON.stringify(body)).toBeLessThan(500);
  if (res.status >= 400) expect(body.error.code).toMatch(/^[a-z_]+$/);
}

const fileBytes = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }),
  fc.string({ unit: 'grapheme', maxLength: 400 }).map((s) => new TextEncoder().encode(s)),
  fc.uint8Array({ maxLength: 1024 }).map((b) => new Uint8Array([...new TextEncoder().encode('%PDF-1.7\n'), ...b])),
);

describe('POST /fax under generated input', () => {
  it('handles arbitrary numbers, header texts and file contents', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 40 }), fc.option(fc.string({ maxLength: 120 })), fileBytes, async (to, header, file) => {
        const form = new FormData();
        form.set('to', to);
        if (header !== null) form.set('header_text', header);
        form.set('file', new Blob([new Uint8Array(file)]), 'f');
        const encoded = new Response(form);
        await expectHandled(await post(await encoded.arrayBuffer(), encoded.headers.get('content-type')!));
      }),
      { numRuns: 600, ...TIME_BOXED },
    );
  }, FUZZ_TEST_TIMEOUT);

  it('handles malformed multipart bodies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 70 }), fc.uint8Array({ maxLength: 1024 }), async (boundary, raw) => {
        await expectHandled(await post(new Uint8Array(raw), `multipart/form-data; boundary=${boundary.replace(/[\r\n]/g, '')}`));
      }),
      { numRuns: 600, ...TIME_BOXED },
    );
  }, FUZZ_TEST_TIMEOUT);

  it('handles truncated and mangled versions of a valid upload', async () => {
    const form = new FormData();
    form.set('to', '+15555550180');
    form.set('file', new Blob([new TextEncoder().encode('hello fax')]), 'a.txt');
    const encoded = new Response(form);
    const type = encoded.headers.get('content-type')!;
    const valid = new Uint8Array(await encoded.arrayBuffer());
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: valid.length }), fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 }), async (cut, at, byte) => {
        const mangled = valid.slice(0, cut);
        if (at < mangled.length) mangled[at] = byte;
        await expectHandled(await post(mangled, type));
      }),
      { numRuns: 600, ...TIME_BOXED },
    );
  }, FUZZ_TEST_TIMEOUT);
});

// Thousands of objects in the test S3 server, for the retention backlog test. One PUT through
// s3rver costs tens of milliseconds on a loaded 2-core machine (minutes for 4,000), so the objects
// are written straight into s3rver's storage directory in its own layout (`<key>._S3rver_object`,
// `.md5`, `_metadata.json`) and then checked through the S3 API (listObjects pages), so a layout
// change in s3rver fails the check instead of passing silently.
// s3rver quirks the callers must respect: its DeleteObject scans the parent directory and removes
// it once empty, racing with concurrent deletes in the same directory (a 500 for the whole
// DeleteObjects request), so every directory should keep one object that is never deleted; and
// its ListObjectsV2 continuation tokens use DES, which Node 22's OpenSSL refuses, so listKeys pages
// with ListObjects (v1) markers.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AwsClient } from 'aws4fetch';
import { inject } from 'vitest';

const BODY = Buffer.from('%PDF-1.4 retention backlog\n');

/** Writes every key into the local S3 server's directory (the suite's own s3rver only). */
export async function seedObjects(keys: string[]): Promise<void> {
  const root = inject('s3Directory');
  if (!root) throw new Error('seedObjects needs the local S3 server (s3Directory is not set)');
  const bucketDir = path.join(root, inject('s3').bucket);
  const md5 = createHash('md5').update(BODY).digest('hex');
  const metadata = JSON.stringify({ 'content-type': 'application/pdf' });
  const dirs = new Set(keys.map((k) => path.dirname(path.join(bucketDir, k))));
  for (const dir of dirs) await mkdir(dir, { recursive: true });
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const file = path.join(bucketDir, keys[next++]!);
      await writeFile(`${file}._S3rver_object`, BODY);
      await writeFile(`${file}._S3rver_object.md5`, md5);
      await writeFile(`${file}._S3rver_metadata.json`, metadata);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** Every key under `prefix`, through the S3 API. */
export async function listKeys(prefix: string): Promise<string[]> {
  const s3 = inject('s3');
  const aws = new AwsClient({ accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, service: 's3', region: 'us-east-1' });
  const keys: string[] = [];
  for (;;) {
    const qs = new URLSearchParams({ prefix, 'max-keys': '1000', ...(keys.length ? { marker: keys[keys.length - 1]! } : {}) });
    const res = await aws.fetch(`${s3.endpoint.replace(/\/+$/, '')}/${s3.bucket}?${qs}`);
    const text = await res.text();
    if (!res.ok) throw new Error(`ListObjects failed: ${res.status} ${text.slice(0, 200)}`);
    keys.push(...Array.from(text.matchAll(/<Key>([^<]*)<\/Key>/g), (m) => m[1]!));
    if (!/<IsTruncated>true<\/IsTruncated>/.test(text)) return keys;
  }
}

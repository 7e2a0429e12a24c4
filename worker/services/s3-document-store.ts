// DocumentStore on any S3-compatible service through aws4fetch (SigV4-signed fetch, path-style URLs).
// With a KMS key id configured every object is written with SSE-KMS. Retention deletes in bulk with
// DeleteObjects (up to 1000 keys per request; Content-MD5 as S3 requires, and a signed payload).
import { AwsClient } from 'aws4fetch';
import type { Config } from '../config.ts';
import { sha256Hex } from '../lib/crypto.ts';
import type { DocumentStore, StoredObject } from './document-store.ts';
import { putBody } from './s3-put-body.ts';
import { allFailed, deleteObjectsBody, parseDeleteResult, type DeleteManyResult } from './s3-multi-delete.ts';

export interface S3Settings {
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  kmsKeyId?: string;
}

export class StorageError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'StorageError';
  }
}

// One client per credentials for the isolate's life: it caches the derived SigV4 signing key (four
// HMACs per day and region), which a client per request would derive again every time. It holds no
// I/O object, so sharing it across requests is allowed in Workers.
const clients = new Map<string, AwsClient>();
/** Tries after the first on 5xx and 429 (aws4fetch's `retries`), backing off from RETRY_BASE_MS. */
const RETRIES = 2;
const RETRY_BASE_MS = 50;

function awsClient(settings: S3Settings): AwsClient {
  const key = `${settings.accessKeyId}\n${settings.secretAccessKey}\n${settings.region}`;
  let client = clients.get(key);
  if (!client) {
    client = new AwsClient({ accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey, service: 's3', region: settings.region, retries: RETRIES });
    if (clients.size > 8) clients.clear();
    clients.set(key, client);
  }
  return client;
}

export class S3DocumentStore implements DocumentStore {
  private readonly aws: AwsClient;
  private readonly base: string;

  constructor(private readonly settings: S3Settings) {
    this.aws = awsClient(settings);
    this.base = `${settings.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(settings.bucket)}`;
  }

  /** A storage server that cannot be reached is an outage (503), like one that answers 5xx. */
  private async send(url: string, init: RequestInit): Promise<Response> {
    try {
      return await this.aws.fetch(url, init);
    } catch (err) {
      throw new StorageError(`S3 ${init.method ?? 'GET'} unreachable: ${(err as Error).name}`, 0);
    }
  }

  private url(key: string): string {
    return `${this.base}/${key.split('/').map(encodeURIComponent).join('/')}`;
  }

  async put(key: string, body: Uint8Array, contentType: string, sha256?: string): Promise<void> {
    // With the body's SHA-256 the payload is signed and S3 checks it (else UNSIGNED-PAYLOAD).
    const headers: Record<string, string> = { 'content-type': contentType, ...(sha256 ? { 'x-amz-content-sha256': sha256 } : {}) };
    if (this.settings.kmsKeyId) {
      headers['x-amz-server-side-encryption'] = 'aws:kms';
      headers['x-amz-server-side-encryption-aws-kms-key-id'] = this.settings.kmsKeyId;
    }
    const res = sha256 ? await this.sendStreamed(this.url(key), { method: 'PUT', headers }, body) : await this.send(this.url(key), { method: 'PUT', headers, body });
    if (!res.ok) throw await storageError('put', res);
    await res.body?.cancel();
  }

  /**
   * A signed-payload request whose body streams from `bytes` (s3-put-body.ts): a new stream for each
   * try, since one is read once. aws4fetch's own retry loop would resend the spent stream, so the tries
   * are counted here, as it counts them: up to RETRIES more on 5xx and 429, after a jittered backoff.
   */
  private async sendStreamed(url: string, init: RequestInit, bytes: Uint8Array): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(await this.aws.sign(url, { ...init, body: putBody(bytes) }));
      } catch (err) {
        throw new StorageError(`S3 ${init.method ?? 'GET'} unreachable: ${(err as Error).name}`, 0);
      }
      if ((res.status < 500 && res.status !== 429) || attempt === RETRIES) return res;
      await res.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, Math.random() * RETRY_BASE_MS * 2 ** attempt));
    }
  }

  async get(key: string): Promise<StoredObject | null> {
    const res = await this.send(this.url(key), { method: 'GET' });
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    if (!res.ok || !res.body) throw await storageError('get', res);
    const size = Number(res.headers.get('content-length'));
    return { body: res.body, size: Number.isFinite(size) ? size : undefined };
  }

  async delete(key: string): Promise<void> {
    const res = await this.send(this.url(key), { method: 'DELETE' });
    if (!res.ok && res.status !== 404) throw await storageError('delete', res);
    await res.body?.cancel();
  }

  /** Never throws for S3 trouble: a request that fails as a whole fails every key, with its code. */
  async deleteMany(keys: string[]): Promise<DeleteManyResult> {
    if (keys.length === 0) return { deleted: [], failed: [] };
    const body = new TextEncoder().encode(deleteObjectsBody(keys));
    const headers = {
      'content-type': 'application/xml',
      'content-md5': await md5Base64(body),
      'x-amz-content-sha256': await sha256Hex(body),
    };
    let res: Response;
    try {
      res = await this.send(`${this.base}?delete`, { method: 'POST', headers, body });
    } catch {
      return allFailed(keys, 'Unreachable');
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      return allFailed(keys, /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? `HTTP ${res.status}`);
    }
    return parseDeleteResult(await res.text(), keys);
  }
}

/** Content-MD5 (base64). MD5 is a non-standard Web Crypto digest that workerd provides. */
async function md5Base64(data: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('MD5', data));
  let bin = '';
  for (const b of digest) bin += String.fromCharCode(b);
  return btoa(bin);
}

async function storageError(op: string, res: Response): Promise<StorageError> {
  const text = await res.text().catch(() => '');
  const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? `HTTP ${res.status}`;
  return new StorageError(`S3 ${op} failed: ${code}`, res.status);
}

/** The deployment's document bucket from its configuration (S3_* variables). */
export function documentStoreFor(config: Config): S3DocumentStore {
  const { endpoint, bucket, accessKeyId, secretAccessKey, region, kmsKeyId } = config.s3;
  return new S3DocumentStore({ endpoint: endpoint ?? '', bucket: bucket ?? '', accessKeyId: accessKeyId ?? '', secretAccessKey: secretAccessKey ?? '', region, kmsKeyId });
}

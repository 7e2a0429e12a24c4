// DocumentStore on any S3-compatible service through aws4fetch (SigV4-signed fetch, path-style URLs).
// With a KMS key id configured every object is written with SSE-KMS.
import { AwsClient } from 'aws4fetch';
import type { DocumentStore, StoredObject } from './document-store.ts';

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

export class S3DocumentStore implements DocumentStore {
  private readonly aws: AwsClient;
  private readonly base: string;

  constructor(private readonly settings: S3Settings) {
    this.aws = new AwsClient({
      accessKeyId: settings.accessKeyId,
      secretAccessKey: settings.secretAccessKey,
      service: 's3',
      region: settings.region,
      retries: 2,
    });
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

  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    const headers: Record<string, string> = { 'content-type': contentType };
    if (this.settings.kmsKeyId) {
      headers['x-amz-server-side-encryption'] = 'aws:kms';
      headers['x-amz-server-side-encryption-aws-kms-key-id'] = this.settings.kmsKeyId;
    }
    const res = await this.send(this.url(key), { method: 'PUT', headers, body });
    if (!res.ok) throw await storageError('put', res);
    await res.body?.cancel();
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
}

async function storageError(op: string, res: Response): Promise<StorageError> {
  const text = await res.text().catch(() => '');
  const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? `HTTP ${res.status}`;
  return new StorageError(`S3 ${op} failed: ${code}`, res.status);
}

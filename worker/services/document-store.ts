// Where fax documents live. The interface is small so routes and tests do not care whether the
// store is S3 (production, dev, API tests) or in memory (unit tests).
import type { DeleteManyResult } from './s3-multi-delete.ts';

export type { DeleteManyResult };

export interface StoredObject {
  body: ReadableStream<Uint8Array>;
  size?: number;
}

export interface DocumentStore {
  /** `sha256` (hex), when the caller already has it, lets the store verify the upload for free. */
  put(key: string, body: Uint8Array, contentType: string, sha256?: string): Promise<void>;
  get(key: string): Promise<StoredObject | null>;
  delete(key: string): Promise<void>;
  /** Deletes up to 1000 keys in one request; a missing key counts as deleted (as with delete). */
  deleteMany(keys: string[]): Promise<DeleteManyResult>;
}

export class MemoryDocumentStore implements DocumentStore {
  readonly objects = new Map<string, { body: Uint8Array; contentType: string }>();

  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    this.objects.set(key, { body: body.slice(), contentType });
  }

  async get(key: string): Promise<StoredObject | null> {
    const obj = this.objects.get(key);
    if (!obj) return null;
    return { body: new Blob([obj.body]).stream(), size: obj.body.byteLength };
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }

  async deleteMany(keys: string[]): Promise<DeleteManyResult> {
    for (const key of keys) this.objects.delete(key);
    return { deleted: [...new Set(keys)], failed: [] };
  }
}

// One database pool for a Durable Object's life (JobScheduler, AgentHub). A Durable Object runs
// all its events (requests, RPC calls, alarms, WebSocket messages) in one I/O context, so a
// connection opened by one event can serve the next; a stateless Worker request could not ("Cannot
// perform I/O on behalf of a different request"), which is why the request path opens a pool per
// request. The idle timeout is longer than the object's alarm period, so an object woken every
// 15 s keeps one connection instead of paying a new one (and its SCRAM handshake) per wake.
// A pool that failed other than with a statement error the server reported is retired (closed
// once the events still using it are done) and the next event opens a fresh one.
import { isStatementError } from '../lifecycle/db-errors.ts';
import { openDatabase, type Database, type DatabaseHandle, type DatabaseOptions } from './client.ts';

/** The default idle timeout of an object's pool: above the 15 s alarm periods of both objects. */
export const OBJECT_POOL_IDLE_MS = 60_000;

interface HeldPool {
  handle: DatabaseHandle;
  key: string;
  users: number;
  retired: boolean;
}

export class ObjectDatabase {
  #held: HeldPool | null = null;
  readonly #waitUntil: (p: Promise<unknown>) => void;
  readonly #opts: DatabaseOptions;
  readonly #open: typeof openDatabase;

  /** `opts.idleTimeoutMs` defaults to OBJECT_POOL_IDLE_MS; `open` is replaceable for unit tests. */
  constructor(waitUntil: (p: Promise<unknown>) => void, opts: DatabaseOptions, open: typeof openDatabase = openDatabase) {
    this.#waitUntil = waitUntil;
    this.#opts = { idleTimeoutMs: OBJECT_POOL_IDLE_MS, ...opts };
    this.#open = open;
  }

  /** Runs `fn` on the object's pool (opened on first use). Errors propagate unchanged. */
  async use<T>(url: string, wsProxy: string | undefined, fn: (db: () => Database) => Promise<T>): Promise<T> {
    const held = this.#acquire(url, wsProxy);
    held.users += 1;
    try {
      return await fn(() => held.handle.db);
    } catch (err) {
      // A connection or driver failure (or an I/O context that is gone) must not stick to the object.
      if (!isStatementError(err)) this.#retire(held);
      throw err;
    } finally {
      held.users -= 1;
      if (held.retired && held.users === 0) this.#close(held);
    }
  }

  /** Retires the current pool (it closes once no event uses it). */
  drop(): void {
    if (this.#held) this.#retire(this.#held);
  }

  #acquire(url: string, wsProxy: string | undefined): HeldPool {
    const key = `${url}\n${wsProxy ?? ''}`;
    if (this.#held && this.#held.key !== key) this.#retire(this.#held);
    this.#held ??= { handle: this.#open(url, wsProxy, this.#opts), key, users: 0, retired: false };
    return this.#held;
  }

  #retire(held: HeldPool): void {
    if (held.retired) return;
    held.retired = true;
    if (this.#held === held) this.#held = null;
    if (held.users === 0) this.#close(held);
  }

  #close(held: HeldPool): void {
    this.#waitUntil(held.handle.close().catch(() => {}));
  }
}

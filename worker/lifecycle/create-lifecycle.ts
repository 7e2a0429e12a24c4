// Builds the lifecycle from the configuration (retry policy, audit switch).
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { JobLifecycle } from './job-lifecycle.ts';

/** `sessionDb` runs the interactive transactions; `db` the single statements (the same by default). */
export function createLifecycle(db: () => Database, config: Config, sessionDb: () => Database = db): JobLifecycle {
  return new JobLifecycle(db, { policy: config.retry, audit: config.auditEnabled, sessionDb });
}

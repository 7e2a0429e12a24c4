// Builds the lifecycle from the configuration (retry policy, audit switch).
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { JobLifecycle } from './job-lifecycle.ts';

export function createLifecycle(db: () => Database, config: Config): JobLifecycle {
  return new JobLifecycle(db, { policy: config.retry, audit: config.auditEnabled });
}

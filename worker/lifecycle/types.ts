// Types shared by the lifecycle and the backends that report to it.
export type { AttemptOutcome } from './retry-policy.ts';
export type { LineDetails, Lease, Actor } from './job-lifecycle.ts';

// The one interface every fax backend implements (sandbox now; SIP agent, Phaxio, Sinch later).
// `submit` hands a durably queued job to the backend; status changes flow back into fax_jobs.
import type { FaxJobRow } from '../db/schema.ts';

export interface FaxBackend {
  readonly name: string;
  /** Whether the backend has everything it needs to send (credentials, bindings). */
  configured(): Promise<{ ok: true; detail?: string } | { ok: false; reason: string }>;
  submit(job: FaxJobRow): Promise<void>;
  /** Ask the backend to stop a job that has not been dialled yet. */
  cancel(job: FaxJobRow): Promise<void>;
}

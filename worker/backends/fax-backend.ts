// The one interface every fax backend implements (sandbox, SIP agents, Phaxio and Sinch).
// Backends never write a job's status: they call the lifecycle (worker/lifecycle/) to start and
// end attempts. The recovery sweep hands due jobs to `handOff` and asks `poll` about calls in flight.
import type { FaxAttemptRow, FaxJobRow } from '../db/schema.ts';
import type { JobLifecycle } from '../lifecycle/job-lifecycle.ts';
import type { AttemptOutcome, LineDetails } from '../lifecycle/types.ts';

export interface PollResult {
  /** The attempt's outcome, when the backend knows it now. */
  outcome?: { result: AttemptOutcome; line?: LineDetails };
  /** Otherwise: when to ask again (the attempt deadline still applies). */
  recheckAt?: Date;
}

export interface FaxBackend {
  readonly name: string;
  /** Whether the backend has everything it needs to send (credentials, bindings). */
  configured(): Promise<{ ok: true; detail?: string } | { ok: false; reason: string }>;
  /**
   * A queued job is due: start it (idempotent: the lifecycle refuses a second start). Returns when
   * the sweep should look at the job again if nothing else moves it, or null when the backend moved
   * the job itself (an attempt started: that change set its wake_at), which saves the sweep a write.
   */
  handOff(job: FaxJobRow, lifecycle: JobLifecycle): Promise<Date | null>;
  /**
   * Optional, right after a job is committed: wake whoever will take it, without starting it (the
   * hand-off stays the sweep's). Harmless if lost or repeated; it only saves the sweep's latency.
   */
  wake?(job: FaxJobRow, document?: Uint8Array): Promise<void>;
  /** A call in flight: what the backend knows. Push-based backends (SIP) return a recheck time. */
  poll(job: FaxJobRow, attempt: FaxAttemptRow | undefined, lifecycle?: JobLifecycle): Promise<PollResult>;
  /** Ask the backend to drop a job that was canceled before it was dialled. */
  cancel(job: FaxJobRow): Promise<void>;
}

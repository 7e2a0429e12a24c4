// The development backend: no phone line. A job's first dial starts SANDBOX_STEP_MS after it was
// accepted (retries as soon as they are due) and its outcome is known SANDBOX_STEP_MS later, when the recovery sweep polls it; the documented test numbers
// (sandbox-numbers.ts) script busy lines, retries, rejections, drops and unknown outcomes.
import type { FaxAttemptRow, FaxJobRow } from '../db/schema.ts';
import type { JobLifecycle } from '../lifecycle/job-lifecycle.ts';
import type { FaxBackend, PollResult } from './fax-backend.ts';
import { SANDBOX_NUMBERS, sandboxSuccess } from './sandbox-numbers.ts';

/**
 * Another call to the same number is in flight: look again after this long at the latest. The
 * lifecycle wakes the next waiting job as soon as that call ends, so this is only a backstop.
 */
const DESTINATION_BUSY_RECHECK_MS = 30_000;

export class SandboxBackend implements FaxBackend {
  readonly name = 'sandbox';

  constructor(private readonly stepMs: number) {}

  async configured() {
    return { ok: true } as const;
  }

  async handOff(job: FaxJobRow, lifecycle: JobLifecycle): Promise<Date | null> {
    const now = Date.now();
    // The first dial comes one step after acceptance, so a fresh job can still be canceled.
    const firstDialAt = (job.sendAt ?? job.createdAt).getTime() + this.stepMs;
    if (job.attempts === 0 && now < firstDialAt) return new Date(firstDialAt);
    const started = await lifecycle.startAttempt(job.id, { providerRef: `sandbox-${job.id}-${job.attempts + 1}`, checkAt: new Date(now + this.stepMs) });
    // Started: the attempt's start set wake_at to its check time (checkAt).
    return started.started ? null : new Date(now + DESTINATION_BUSY_RECHECK_MS);
  }

  async poll(job: FaxJobRow, attempt: FaxAttemptRow | undefined): Promise<PollResult> {
    if (!attempt) return {};
    const ready = attempt.startedAt.getTime() + this.stepMs;
    if (Date.now() < ready) return { recheckAt: new Date(ready) };
    const script = SANDBOX_NUMBERS[job.toNumber];
    const pages = job.pages ?? 1;
    return { outcome: script ? script.attempt(attempt.number, pages) : sandboxSuccess(pages) };
  }

  async cancel(): Promise<void> {}
}

// The development backend: no phone line, jobs progress on their own through a SandboxCall Durable
// Object per job so clients can practise polling. Documented test numbers fail (sandbox-numbers.ts).
import type { FaxJobRow } from '../db/schema.ts';
import type { Env } from '../env.ts';
import type { FaxBackend } from './fax-backend.ts';
import { SANDBOX_FAILING_NUMBERS } from './sandbox-numbers.ts';

export class SandboxBackend implements FaxBackend {
  readonly name = 'sandbox';

  constructor(
    private readonly env: Env,
    private readonly stepMs: number,
  ) {}

  async configured() {
    return this.env.SANDBOX_CALL
      ? ({ ok: true } as const)
      : ({ ok: false, reason: 'SANDBOX_CALL Durable Object binding is missing' } as const);
  }

  private stub(jobId: string) {
    return this.env.SANDBOX_CALL.get(this.env.SANDBOX_CALL.idFromName(jobId));
  }

  async submit(job: FaxJobRow): Promise<void> {
    await this.stub(job.id).start(job.id, SANDBOX_FAILING_NUMBERS[job.toNumber] ?? null, this.stepMs);
  }

  async cancel(job: FaxJobRow): Promise<void> {
    await this.stub(job.id).cancel();
  }
}

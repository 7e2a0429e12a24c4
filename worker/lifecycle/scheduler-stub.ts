// The deployment's one JobScheduler Durable Object (the lifecycle's recovery sweep). Kept apart
// from the class so the HTTP app does not import the Durable Object runtime.
import type { Env } from '../env.ts';

export function schedulerStub(env: Env) {
  return env.JOB_SCHEDULER.get(env.JOB_SCHEDULER.idFromName('lifecycle'));
}

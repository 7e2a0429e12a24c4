// The retry policy, HylaFAX-style: what an attempt's outcome means for the job. Pure functions,
// so the lifecycle, the docs' table and the tests share one definition.
// busy/congestion -> retry after RETRY_BUSY, no answer -> after RETRY_NO_ANSWER, a connected call
// that failed -> after RETRY_CONNECTED; at most MAX_TRIES connected tries and MAX_DIALS dials.
// Never retried: rejected, invalid number, conversion failure, and unknown outcomes.

export interface RetryPolicy {
  busyDelayMs: number;
  noAnswerDelayMs: number;
  connectedDelayMs: number;
  maxTries: number;
  maxDials: number;
  expiryMs: number;
  /** An attempt with no result after this long ends `unknown`. */
  attemptTimeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  busyDelayMs: 180_000,
  noAnswerDelayMs: 300_000,
  connectedDelayMs: 60_000,
  maxTries: 3,
  maxDials: 12,
  expiryMs: 3 * 3600_000,
  attemptTimeoutMs: 1800_000,
};

interface FailureClass {
  retry: 'busy' | 'no_answer' | 'connected' | 'never';
  connected: boolean;
}

/** How each failure reason is treated. `connected`: the call reached a fax machine. */
export const FAILURE_CLASSES = {
  busy: { retry: 'busy', connected: false },
  congestion: { retry: 'busy', connected: false },
  no_answer: { retry: 'no_answer', connected: false },
  fax_error: { retry: 'connected', connected: true },
  call_dropped: { retry: 'connected', connected: true },
  timeout: { retry: 'connected', connected: true },
  failed: { retry: 'connected', connected: true },
  download_failed: { retry: 'connected', connected: false },
  backend_unavailable: { retry: 'busy', connected: false },
  rejected: { retry: 'never', connected: false },
  invalid_number: { retry: 'never', connected: false },
  conversion_failed: { retry: 'never', connected: false },
} as const satisfies Record<string, FailureClass>;

export type FailureReason = keyof typeof FAILURE_CLASSES;

/** Reasons that end a job `unknown`: the fax may or may not have gone through. */
export const UNKNOWN_REASONS = ['agent_lost_during_call', 'ami_lost_during_call', 'no_result', 'provider_unreachable'] as const;

export type AttemptOutcome =
  | { result: 'success' }
  | { result: 'failed'; reason: string; connected?: boolean }
  | { result: 'unknown'; reason: string };

export type Decision =
  | { kind: 'final'; status: 'success' | 'failed' | 'unknown'; reason: string | null }
  | { kind: 'retry'; at: Date; reason: string };

export interface JobCounters {
  /** Dials including the one that just ended. */
  dials: number;
  /** Connected tries including the one that just ended. */
  tries: number;
  maxTries: number;
  expiresAt: Date | null;
}

export function isConnected(outcome: AttemptOutcome): boolean {
  if (outcome.result !== 'failed') return outcome.result === 'success';
  return outcome.connected ?? classOf(outcome.reason).connected;
}

function classOf(reason: string): FailureClass {
  return (FAILURE_CLASSES as Record<string, FailureClass>)[reason] ?? FAILURE_CLASSES.failed;
}

export function decide(outcome: AttemptOutcome, job: JobCounters, policy: RetryPolicy, now: Date): Decision {
  if (outcome.result === 'success') return { kind: 'final', status: 'success', reason: null };
  if (outcome.result === 'unknown') return { kind: 'final', status: 'unknown', reason: outcome.reason };
  const cls = classOf(outcome.reason);
  const final = { kind: 'final', status: 'failed', reason: outcome.reason } as const;
  if (cls.retry === 'never') return final;
  if (job.dials >= policy.maxDials || job.tries >= job.maxTries) return final;
  const delay = cls.retry === 'busy' ? policy.busyDelayMs : cls.retry === 'no_answer' ? policy.noAnswerDelayMs : policy.connectedDelayMs;
  const at = new Date(now.getTime() + delay);
  if (job.expiresAt && at.getTime() >= job.expiresAt.getTime()) return final;
  return { kind: 'retry', at, reason: outcome.reason };
}

// Documented sandbox test numbers: each plays a scripted line so clients can practise their
// handling of failures, retries and unknown outcomes. Every other valid number succeeds.
import type { AttemptOutcome, LineDetails } from '../lifecycle/types.ts';

export interface SandboxScript {
  describe: string;
  /** The outcome of attempt `n` (1-based) of a job with `pages` pages. */
  attempt(n: number, pages: number): { result: AttemptOutcome; line?: LineDetails };
}

const failed = (reason: string, connected?: boolean, line?: LineDetails) => ({ result: { result: 'failed', reason, ...(connected === undefined ? {} : { connected }) } as AttemptOutcome, line });
/** An ordinary delivered call: every page, 14400 bit/s over T.38. */
export const sandboxSuccess = (pages: number) => ({ result: { result: 'success' } as AttemptOutcome, line: { pagesSent: pages, bitrate: 14400, remoteStationId: 'SANDBOX', t38: true } });

export const SANDBOX_NUMBERS: Readonly<Record<string, SandboxScript>> = {
  '+15555550199': { describe: 'always busy: retried, then fails busy', attempt: () => failed('busy') },
  '+15555550198': { describe: 'never answers: retried, then fails no_answer', attempt: () => failed('no_answer') },
  '+15555550197': { describe: 'rejects the call: fails rejected, never retried', attempt: () => failed('rejected') },
  '+15555550196': { describe: 'busy on the first dial, success on the retry', attempt: (n, pages) => (n === 1 ? failed('busy') : sandboxSuccess(pages)) },
  '+15555550195': { describe: 'the outcome is never known: ends unknown, never retried', attempt: () => ({ result: { result: 'unknown', reason: 'no_result' } }) },
  '+15555550194': {
    describe: 'the call drops after page 1 of N on every try: retried, then fails call_dropped',
    attempt: () => failed('call_dropped', true, { pagesSent: 1, bitrate: 9600, remoteStationId: 'SANDBOX', t38: false, failureDetail: 'sandbox: call dropped after page 1' }),
  },
};

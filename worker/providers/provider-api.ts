// The small interface a cloud provider implements for ProviderBackend: submit one attempt, find an
// attempt by the tag we put on it, read a fax's state, cancel, and say what a refusal means.
import type { FaxJobRow } from '../db/schema.ts';
import type { AttemptOutcome, LineDetails } from '../lifecycle/types.ts';

export type ProviderState =
  | { kind: 'pending' }
  | { kind: 'retrying'; retry: number; outcome: Extract<AttemptOutcome, { result: 'failed' }>; line: LineDetails }
  | { kind: 'final'; outcome: AttemptOutcome; line: LineDetails };

/** The tag value that names one attempt of one job at the provider. */
export const attemptTag = (jobId: string, attempt: number) => `${jobId}:${attempt}`;

export interface ProviderApi {
  readonly name: 'phaxio' | 'sinch';
  /** Settings still missing (names only). */
  missing(): string[];
  /** Sends the attempt; returns the provider's fax id. Throws ProviderError when unsure. */
  submit(job: FaxJobRow, attempt: number, pdf: Uint8Array): Promise<string>;
  /** The provider's fax for this attempt (null: confirmed absent). Throws when it cannot tell. */
  find(job: FaxJobRow, attempt: number): Promise<{ ref: string; state: ProviderState } | null>;
  status(ref: string): Promise<ProviderState | null>;
  cancel(ref: string): Promise<void>;
  /** A definite refusal of the request (not transient), as our failure reason; null otherwise. */
  rejection(err: unknown): { reason: string; detail: string } | null;
}

// Phaxio behind the ProviderApi interface: one Phaxio fax per attempt, tagged with our job id and
// attempt, calling back to PUBLIC_API_URL/callbacks/phaxio.
import { redact } from '../../../shared/redact.ts';
import type { FaxJobRow } from '../../db/schema.ts';
import { attemptTag, type ProviderApi } from '../provider-api.ts';
import { providerMissing, type ProviderConfig } from '../provider-config.ts';
import { PhaxioClient, PhaxioRejected, phaxioTags } from './client.ts';
import { phaxioState } from './outcome.ts';

export const PHAXIO_JOB_TAG = 'faxbot_job';
export const PHAXIO_ATTEMPT_TAG = 'faxbot_attempt';

export class PhaxioApi implements ProviderApi {
  readonly name = 'phaxio' as const;
  private readonly client: PhaxioClient;
  private readonly providers: ProviderConfig;
  private readonly publicApiUrl: string | undefined;

  constructor(providers: ProviderConfig, publicApiUrl: string | undefined) {
    this.providers = providers;
    this.publicApiUrl = publicApiUrl;
    this.client = new PhaxioClient(providers.phaxio);
  }

  missing(): string[] {
    return providerMissing('phaxio', this.providers, this.publicApiUrl);
  }

  submit(job: FaxJobRow, attempt: number, pdf: Uint8Array): Promise<string> {
    return this.client.send({
      to: job.toNumber,
      pdf,
      headerText: job.headerText,
      callbackUrl: `${this.publicApiUrl}/callbacks/phaxio`,
      tags: { [PHAXIO_JOB_TAG]: job.id, [PHAXIO_ATTEMPT_TAG]: attemptTag(job.id, attempt) },
    });
  }

  async find(job: FaxJobRow, attempt: number) {
    const faxes = await this.client.findByTag(PHAXIO_ATTEMPT_TAG, attemptTag(job.id, attempt));
    const fax = faxes.find((f) => phaxioTags(f)[PHAXIO_ATTEMPT_TAG] === attemptTag(job.id, attempt));
    return fax ? { ref: String(fax.id), state: phaxioState(fax) } : null;
  }

  async status(ref: string) {
    const fax = await this.client.get(ref);
    return fax ? phaxioState(fax) : null;
  }

  cancel(ref: string): Promise<void> {
    return this.client.cancel(ref);
  }

  rejection(err: unknown) {
    if (!(err instanceof PhaxioRejected)) return null;
    const invalid = /number|phone|to\b/i.test(err.message) && err.status === 422;
    return { reason: invalid ? 'invalid_number' : 'rejected', detail: redact(`Phaxio: ${err.message}`).slice(0, 200) };
  }

  /** A received fax's PDF. */
  download(ref: string): Promise<Uint8Array> {
    return this.client.file(ref);
  }
}

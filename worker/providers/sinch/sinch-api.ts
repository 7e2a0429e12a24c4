// Sinch behind the ProviderApi interface: one Sinch fax per attempt, labelled with our job and
// attempt, calling back to PUBLIC_API_URL/callbacks/sinch with the callback credentials embedded in
// the URL (Sinch sends them back as HTTP Basic; it signs nothing).
import { redact } from '../../../shared/redact.ts';
import type { FaxJobRow } from '../../db/schema.ts';
import { attemptTag, type ProviderApi } from '../provider-api.ts';
import { providerMissing, type ProviderConfig } from '../provider-config.ts';
import { SinchClient, SinchRejected } from './client.ts';
import { sinchState } from './outcome.ts';

export const SINCH_JOB_LABEL = 'faxbot_job';
export const SINCH_ATTEMPT_LABEL = 'faxbot_attempt';

/** PUBLIC_API_URL/callbacks/sinch with user:password embedded (percent-encoded). */
export function sinchCallbackUrl(publicApiUrl: string, user: string, password: string): string {
  const u = new URL(`${publicApiUrl}/callbacks/sinch`);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return u.toString();
}

export class SinchApi implements ProviderApi {
  readonly name = 'sinch' as const;
  private readonly client: SinchClient;
  private readonly providers: ProviderConfig;
  private readonly publicApiUrl: string | undefined;

  constructor(providers: ProviderConfig, publicApiUrl: string | undefined) {
    this.providers = providers;
    this.publicApiUrl = publicApiUrl;
    this.client = new SinchClient(providers.sinch);
  }

  missing(): string[] {
    return providerMissing('sinch', this.providers, this.publicApiUrl);
  }

  async submit(job: FaxJobRow, attempt: number, pdf: Uint8Array): Promise<string> {
    const { callbackUsername = '', callbackPassword = '' } = this.providers.sinch;
    const fax = await this.client.send({
      to: job.toNumber,
      pdf,
      headerText: job.headerText,
      callbackUrl: sinchCallbackUrl(this.publicApiUrl ?? '', callbackUsername, callbackPassword),
      labels: { [SINCH_JOB_LABEL]: job.id, [SINCH_ATTEMPT_LABEL]: attemptTag(job.id, attempt) },
    });
    return fax.id;
  }

  async find(job: FaxJobRow, attempt: number) {
    const faxes = await this.client.listTo(job.toNumber);
    const fax = faxes.find((f) => f.labels?.[SINCH_ATTEMPT_LABEL] === attemptTag(job.id, attempt));
    return fax ? { ref: fax.id, state: sinchState(fax) } : null;
  }

  async status(ref: string) {
    const fax = await this.client.get(ref);
    return fax ? sinchState(fax) : null;
  }

  cancel(ref: string): Promise<void> {
    return this.client.cancel(ref);
  }

  rejection(err: unknown) {
    if (!(err instanceof SinchRejected)) return null;
    const invalid = err.status === 400 && /\bto\b|number/i.test(err.message);
    return { reason: invalid ? 'invalid_number' : 'rejected', detail: redact(`Sinch: ${err.message}`).slice(0, 200) };
  }

  download(ref: string): Promise<Uint8Array> {
    return this.client.file(ref);
  }
}

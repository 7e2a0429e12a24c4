// What a Phaxio fax object means for our attempt: still going, a provider retry (a recipient in
// `willretry`: that try failed and Phaxio dials again), or a final result with our failure reason.
// Phaxio's error types: documentConversionError, lineError, faxError, fatalError, generalError;
// the message tells busy from no answer.
import { redact } from '../../../shared/redact.ts';
import type { LineDetails } from '../../lifecycle/types.ts';
import type { ProviderState } from '../provider-api.ts';
import type { PhaxioFax, PhaxioRecipient } from './client.ts';

/** Our failure reason for Phaxio's error type and message. */
export function phaxioReason(errorType: string | null | undefined, message: string | null | undefined): string {
  const m = (message ?? '').toLowerCase();
  if (/busy/.test(m)) return 'busy';
  if (/no answer|not answer|ring ?no ?answer/.test(m)) return 'no_answer';
  if (/invalid|not a valid|unallocated|disconnected number/.test(m)) return 'invalid_number';
  if (/cancel/.test(m)) return 'rejected';
  switch (errorType) {
    case 'documentConversionError':
      return 'conversion_failed';
    case 'lineError':
      return 'congestion';
    case 'faxError':
      return 'fax_error';
    case 'fatalError':
      return 'rejected';
    default:
      return 'failed';
  }
}

/** Line details Phaxio reports; the error text is Phaxio's, it carries no number or name. */
function line(fax: PhaxioFax, r: PhaxioRecipient | undefined, providerRef: string): LineDetails {
  const message = r?.error_message ?? fax.error_message ?? null;
  return {
    providerRef,
    bitrate: typeof r?.bitrate === 'number' ? r.bitrate : null,
    pagesSent: fax.status === 'success' && typeof fax.num_pages === 'number' ? fax.num_pages : null,
    failureDetail: message ? redact(String(message)).slice(0, 200) : null,
  };
}

export function phaxioState(fax: PhaxioFax): ProviderState {
  const r = fax.recipients?.[0];
  const ref = String(fax.id);
  const status = fax.status ?? 'queued';
  if (status === 'success') return { kind: 'final', outcome: { result: 'success' }, line: line(fax, r, ref) };
  if (status === 'failure' || status === 'partialsuccess') {
    const reason = phaxioReason(r?.error_type ?? fax.error_type, r?.error_message ?? fax.error_message);
    return { kind: 'final', outcome: { result: 'failed', reason }, line: line(fax, r, ref) };
  }
  if (r?.status === 'willretry') {
    const reason = phaxioReason(r.error_type, r.error_message);
    return { kind: 'retrying', retry: Math.max(1, Number(r.retry_count ?? 1)), outcome: { result: 'failed', reason }, line: line(fax, r, ref) };
  }
  return { kind: 'pending' };
}

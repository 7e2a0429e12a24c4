// What a Sinch fax object means for our attempt. Status QUEUED | IN_PROGRESS | COMPLETED | FAILURE;
// errorType DOCUMENT_CONVERSION_ERROR | CALL_ERROR | FAX_ERROR | FATAL_ERROR | GENERAL_ERROR |
// LINE_ERROR, with the message telling busy from no answer. Sinch's own retries are off (maxRetries
// 0), so every Sinch fax is one attempt and our retry policy decides what follows.
import { redact } from '../../../shared/redact.ts';
import type { ProviderState } from '../provider-api.ts';
import type { SinchFax } from './client.ts';

export function sinchReason(errorType: string | null | undefined, message: string | null | undefined): string {
  const m = (message ?? '').toLowerCase();
  if (/busy/.test(m)) return 'busy';
  if (/no answer|not answer|no_answer/.test(m)) return 'no_answer';
  if (/invalid|unallocated|not a valid/.test(m)) return 'invalid_number';
  switch (errorType) {
    case 'DOCUMENT_CONVERSION_ERROR':
      return 'conversion_failed';
    case 'CALL_ERROR':
      return 'no_answer';
    case 'LINE_ERROR':
      return 'congestion';
    case 'FAX_ERROR':
      return 'fax_error';
    case 'FATAL_ERROR':
      return 'rejected';
    default:
      return 'failed';
  }
}

export function sinchState(fax: SinchFax): ProviderState {
  const line = {
    providerRef: fax.id,
    pagesSent: typeof fax.pagesSentSuccessfully === 'number' ? fax.pagesSentSuccessfully : null,
    failureDetail: fax.errorMessage ? redact(String(fax.errorMessage)).slice(0, 200) : null,
  };
  if (fax.status === 'COMPLETED') return { kind: 'final', outcome: { result: 'success' }, line: { ...line, failureDetail: null } };
  if (fax.status === 'FAILURE') return { kind: 'final', outcome: { result: 'failed', reason: sinchReason(fax.errorType, fax.errorMessage) }, line };
  return { kind: 'pending' };
}

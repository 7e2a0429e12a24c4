// Documented sandbox test numbers: sending to one of these fails with the given reason, so clients
// can practise their failure handling. Every other valid number succeeds.
export const SANDBOX_FAILING_NUMBERS: Readonly<Record<string, string>> = {
  '+15555550199': 'busy',
  '+15555550198': 'no_answer',
};

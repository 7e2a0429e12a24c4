// Masks phone numbers for logs, audit details and UIs: only the last 4 digits survive.
// Separate from shared/phone.ts so the agent, which only masks, does not carry the numbering plan.

/**
 * Masks a number down to its last 4 digits: '+15551234567' -> '***4567'.
 * Inputs with fewer than 7 digits (too short to be a phone number, where 4 digits would reveal most of it) -> '***'.
 */
export function maskNumber(e164OrAny: string): string {
  const digits = typeof e164OrAny === 'string' ? e164OrAny.replace(/\D/g, '') : '';
  return digits.length >= 7 ? `***${digits.slice(-4)}` : '***';
}

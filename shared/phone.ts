// Phone number normalisation to strict E.164 (+ and 7-15 digits) and masking for logs and UIs.
// Pure string handling: never throws, so it is safe on any user input.

export type NormalizeResult = { ok: true; e164: string } | { ok: false; reason: string };

const E164 = /^\+[1-9]\d{6,14}$/;
// Whitespace (incl. NBSP, tabs, zero-width space) and the usual visual separators.
const SEPARATORS = /[\s\u200B\u2060\-.()\u2010-\u2015\u2212]/g;
const LETTER = /\p{L}/u;

export function normalizeNumber(input: string, defaultCountryCode: string): NormalizeResult {
  if (typeof input !== 'string') return { ok: false, reason: 'number must be a string' };
  const compact = input.replace(SEPARATORS, '');
  if (compact === '') return { ok: false, reason: 'number is empty' };
  if (LETTER.test(compact)) return { ok: false, reason: 'number contains letters' };
  if (!/\d/.test(compact)) return { ok: false, reason: 'number has no digits' };
  if (!/^\+?\d+$/.test(compact)) {
    return compact.lastIndexOf('+') > 0
      ? { ok: false, reason: "'+' is only allowed at the start" }
      : { ok: false, reason: 'number contains invalid characters' };
  }

  let digits: string;
  if (compact.startsWith('+')) {
    digits = compact.slice(1);
  } else if (compact.startsWith('00')) {
    digits = compact.slice(2);
  } else {
    const national = nationalToInternational(compact, defaultCountryCode);
    if (!national.ok) return national;
    digits = national.e164.slice(1);
  }

  if (digits === '') return { ok: false, reason: 'number is empty' };
  if (digits.startsWith('0')) return { ok: false, reason: 'country code cannot start with 0' };
  if (digits.length < 7) return { ok: false, reason: 'number is too short' };
  if (digits.length > 15) return { ok: false, reason: 'number is too long (E.164 allows at most 15 digits)' };
  const e164 = `+${digits}`;
  return E164.test(e164) ? { ok: true, e164 } : { ok: false, reason: 'not a valid E.164 number' };
}

/** Completes a national number (digits only) with the default country code; result is not yet length-checked. */
function nationalToInternational(national: string, defaultCountryCode: unknown): NormalizeResult {
  const cc = typeof defaultCountryCode === 'string' ? defaultCountryCode.trim().replace(/^\+/, '') : '';
  if (!/^[1-9]\d{0,2}$/.test(cc)) return { ok: false, reason: 'no valid default country code for a national number' };
  if (cc === '1') {
    if (national.length === 10) return { ok: true, e164: `+1${national}` };
    if (national.length === 11 && national.startsWith('1')) return { ok: true, e164: `+${national}` };
    return { ok: false, reason: 'North American numbers need 10 digits (or 11 starting with 1)' };
  }
  const withoutTrunk = national.startsWith('0') ? national.slice(1) : national;
  if (withoutTrunk === '') return { ok: false, reason: 'number is too short' };
  return { ok: true, e164: `+${cc}${withoutTrunk}` };
}

export { maskNumber } from './mask-number.ts';

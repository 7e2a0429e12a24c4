// Phone number normalisation to E.164 against the real numbering plan (libphonenumber-js metadata):
// the country calling code must exist and the national number must have a possible length for it.
// "Possible", not "valid": fictional ranges such as the +1 555 01xx test numbers keep working.
// Never throws, so it is safe on any user input; every refusal says why.
import {
  parsePhoneNumberWithError,
  validatePhoneNumberLength,
  ParseError,
  getCountries,
  getCountryCallingCode,
} from 'libphonenumber-js/min';

export { maskNumber } from './mask-number.ts';

export type NormalizeResult = { ok: true; e164: string } | { ok: false; reason: string };

const E164 = /^\+[1-9]\d{6,14}$/;
// Whitespace (incl. NBSP, tabs, zero-width space) and the usual visual separators.
const SEPARATORS = /[\s\u200B\u2060\-.()\u2010-\u2015\u2212]/g;
const LETTER = /\p{L}/u;
// "+44 (0) 20 …": the trunk prefix written in brackets after the country code is dropped.
const BRACKETED_TRUNK = /^(\s*\+\s*\d{1,3})\s*\(\s*0\s*\)/;

let callingCodes: Set<string> | undefined;

/** Country calling codes of the numbering plan ('1', '44', …) for geographic regions. */
export function isKnownCallingCode(code: string): boolean {
  callingCodes ??= new Set(getCountries().map((country) => getCountryCallingCode(country)));
  return callingCodes.has(code.replace(/^\+/, ''));
}

export function normalizeNumber(input: string, defaultCountryCode: string): NormalizeResult {
  if (typeof input !== 'string') return { ok: false, reason: 'number must be a string' };
  const compact = input.replace(BRACKETED_TRUNK, '$1').replace(SEPARATORS, '');
  if (compact === '') return { ok: false, reason: 'number is empty' };
  if (LETTER.test(compact)) return { ok: false, reason: 'number contains letters' };
  if (!/\d/.test(compact)) return { ok: false, reason: 'number has no digits' };
  if (!/^\+?\d+$/.test(compact)) {
    return compact.lastIndexOf('+') > 0
      ? { ok: false, reason: "'+' is only allowed at the start" }
      : { ok: false, reason: 'number contains invalid characters' };
  }
  // 00 is the international prefix in most of the world: 0044 … = +44 ….
  const international = compact.startsWith('+') ? compact : compact.startsWith('00') ? `+${compact.slice(2)}` : null;
  if (international !== null) {
    const digits = international.slice(1);
    if (digits === '') return { ok: false, reason: 'number is empty' };
    if (digits.startsWith('0')) return { ok: false, reason: 'country code cannot start with 0' };
    if (digits.length > 15) return { ok: false, reason: 'number is too long (E.164 allows at most 15 digits)' };
    return checkPlan(international, {});
  }
  const cc = typeof defaultCountryCode === 'string' ? defaultCountryCode.trim().replace(/^\+/, '') : '';
  if (!/^[1-9]\d{0,2}$/.test(cc) || !isKnownCallingCode(cc)) {
    return { ok: false, reason: 'no valid default country code for a national number' };
  }
  return checkPlan(compact, { defaultCallingCode: cc });
}

function checkPlan(text: string, options: { defaultCallingCode?: string }): NormalizeResult {
  let parsed;
  try {
    parsed = parsePhoneNumberWithError(text, options);
  } catch (err) {
    const code = err instanceof ParseError ? err.message : 'NOT_A_NUMBER';
    if (code === 'INVALID_COUNTRY') {
      const start = /^\+(\d{1,3})/.exec(text)?.[1];
      return { ok: false, reason: start ? `unknown country calling code (no country's code starts the number +${start}…)` : 'unknown country calling code' };
    }
    if (code === 'TOO_SHORT') return { ok: false, reason: 'number is too short' };
    if (code === 'TOO_LONG') return { ok: false, reason: 'number is too long' };
    return { ok: false, reason: 'not a phone number' };
  }
  const cc = parsed.countryCallingCode;
  const digits = parsed.nationalNumber.length;
  const region = cc === '1' ? '+1 (North America)' : `+${cc}`;
  // The length check parses again: only done to say why a number is not possible.
  if (!parsed.isPossible()) {
    switch (validatePhoneNumberLength(text, options)) {
      case 'TOO_SHORT':
        return { ok: false, reason: `number is too short for ${region} (${digits} national digits)` };
      case 'TOO_LONG':
        return { ok: false, reason: `number is too long for ${region} (${digits} national digits)` };
      case 'INVALID_LENGTH':
        return { ok: false, reason: `${digits} national digits is not a possible length for ${region}` };
      default:
        return { ok: false, reason: `not a possible number for ${region}` };
    }
  }
  if (text.startsWith('+')) {
    // International input: the plan may strip a national prefix. A trunk 0 (+44 020 …) is dropped, as
    // dialling it after the country code fails; any other rewrite (carrier codes) is not ours to guess.
    const written = text.slice(1 + cc.length);
    if (written !== parsed.nationalNumber && written !== `0${parsed.nationalNumber}`) {
      return { ok: false, reason: `the digits after ${region} include a national or carrier prefix; write the number as dialled from abroad` };
    }
  }
  const e164 = parsed.number;
  if (E164.test(e164)) return { ok: true, e164 };
  // Only the length can fail here (a dropped trunk 0 may leave fewer than E.164's 7 digits).
  return e164.length < 8
    ? { ok: false, reason: `number is too short for ${region} (${digits} national digits)` }
    : { ok: false, reason: `number is too long for ${region} (${digits} national digits)` };
}

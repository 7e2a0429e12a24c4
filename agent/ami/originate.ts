// Builds the header set of an Async Originate (order as in the reference transcripts) and validates it:
// Asterisk splits `Variable:` values on commas and eats quotes/backslashes, so such values are refused.
import type { AmiFields } from './frame.ts';

export interface OriginateParams {
  /** Dial string, e.g. `PJSIP/+15551234567@trunk` or `Local/s@faxrx/n`. Carries PHI: never log it. */
  channel: string;
  context: string;
  exten: string;
  priority: number;
  /** Channel variables for the dialplan (JOBID, FAXFILE, FAXOPTS...). */
  variables?: Readonly<Record<string, string | number>>;
  /** Ring timeout in ms (Asterisk's default is 30 000). */
  timeoutMs?: number;
  /** Preset Uniqueid of the dialled leg: every event of the job can be correlated with it. */
  channelId?: string;
  /** Preset Uniqueid of the other leg (Local channels). */
  otherChannelId?: string;
  /** e.g. `"Clinic Fax" <5552000>`. */
  callerId?: string;
  /** Use this ActionID instead of a fresh one (lets a caller correlate OriginateResponse before sending). */
  actionId?: string;
}

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*(\([A-Za-z0-9_,-]*\))?$/;
const BAD_VAR_VALUE = /[\r\n,"\\]/;
const ID = /^[A-Za-z0-9._-]{1,128}$/;

export function originateFields(p: OriginateParams): AmiFields {
  if (!p.channel || /[\r\n]/.test(p.channel)) throw new Error('originate: invalid channel');
  if (!p.context || !p.exten) throw new Error('originate: context and exten are required');
  if (!Number.isInteger(p.priority) || p.priority < 1) throw new Error('originate: priority must be a positive integer');
  if (p.timeoutMs !== undefined && (!Number.isFinite(p.timeoutMs) || p.timeoutMs <= 0)) {
    throw new Error('originate: timeoutMs must be positive');
  }
  for (const id of [p.channelId, p.otherChannelId]) {
    if (id !== undefined && !ID.test(id)) throw new Error('originate: channel ids must match [A-Za-z0-9._-]{1,128}');
  }
  const variables: string[] = [];
  for (const [name, raw] of Object.entries(p.variables ?? {})) {
    const value = String(raw);
    if (!VAR_NAME.test(name)) throw new Error(`originate: invalid variable name ${name}`);
    if (BAD_VAR_VALUE.test(value)) throw new Error(`originate: variable ${name} contains a comma, quote, backslash or line break`);
    variables.push(`${name}=${value}`);
  }
  return {
    Channel: p.channel,
    Context: p.context,
    Exten: p.exten,
    Priority: p.priority,
    Timeout: p.timeoutMs === undefined ? undefined : Math.round(p.timeoutMs),
    CallerID: p.callerId,
    Variable: variables.length > 0 ? variables : undefined,
    ChannelId: p.channelId,
    OtherChannelId: p.otherChannelId,
    Async: 'true',
  };
}

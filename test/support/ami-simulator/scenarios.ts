// Scripted outcomes of a simulated outbound call, the parsed Originate request they are chosen from, and the
// default choice, which follows the lab dialplan of extensions.conf.example (faxrx, farbusy, farcongest...).

export interface OriginateRequest {
  actionId?: string;
  channel: string;
  context: string;
  exten: string;
  priority: number;
  /** Ring timeout in ms (Asterisk default 30 000). */
  timeoutMs: number;
  callerId?: string;
  /** Channel variables from all `Variable:` headers (comma-separated or repeated). */
  variables: Record<string, string>;
  channelId?: string;
  otherChannelId?: string;
  async: boolean;
}

export type Scenario =
  /** Far end receives all pages. `hangupHandlerOnly`: it hangs up right after the last page, so (as in
   * fax_ok.txt) only the hangup handler reports, with Status SUCCESS, Error HANGUP. Otherwise (fax_ok_rxhold)
   * SendFAX returns and FaxResult is followed by the hangup handler's FaxTxHangup. */
  | {
      kind: 'success';
      pages?: number;
      bitrate?: number;
      remoteStationId?: string;
      hangupHandlerOnly?: boolean;
      msPerPage?: number;
    }
  | { kind: 'busy' }
  | { kind: 'congestion' }
  /** Rings until the Originate Timeout, then Reason 3. */
  | { kind: 'no_answer' }
  /** Dial string to nowhere (e.g. unknown context): Reason 0. */
  | { kind: 'unreachable' }
  /** Far end drops mid-transfer: FAXSTATUS FAILED, "The call dropped prematurely". */
  | { kind: 'fail_mid_page'; afterMs?: number; pagesSent?: number; remoteStationId?: string }
  /** Answers but never speaks: the call stays up until Action: Hangup (or `hangupAfterMs`, like far_voice). */
  | { kind: 'silent'; hangupAfterMs?: number };

export type ScenarioChooser = (req: OriginateRequest) => Scenario;

/** `Local/<exten>@<context>[/n]` -> { exten, context }; undefined for other technologies. */
export function parseLocalDial(channel: string): { exten: string; context: string; dialString: string } | undefined {
  const m = /^Local\/([^@/]+)@([^/]+)(\/.*)?$/i.exec(channel);
  if (!m) return undefined;
  return { exten: m[1] ?? 's', context: m[2] ?? 'default', dialString: channel.slice('Local/'.length) };
}

export function defaultScenario(req: OriginateRequest): Scenario {
  const local = parseLocalDial(req.channel);
  if (!local) return { kind: 'success' };
  switch (local.context) {
    case 'faxrx':
      return { kind: 'success', pages: 2, hangupHandlerOnly: req.variables.RXHOLD === undefined };
    case 'farbusy':
      return { kind: 'busy' };
    case 'farcongest':
      return { kind: 'congestion' };
    case 'farnoanswer':
    case 'farsilent':
      return { kind: 'no_answer' };
    case 'farvoice':
    case 'farvoiceaudio':
      return { kind: 'silent' };
    default:
      return { kind: 'unreachable' };
  }
}

/** Parses `Variable:` header values: each may hold several NAME=value pairs separated by commas. */
export function parseVariables(values: readonly string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const value of values) {
    for (const part of value.split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) vars[part.slice(0, eq).trim()] = part.slice(eq + 1);
    }
  }
  return vars;
}

/** `"Lab FaxBot" <5552000>` -> name/num; `<unknown>` when absent, as Asterisk prints it. */
export function parseCallerId(callerId: string | undefined): { name: string; num: string } {
  if (!callerId) return { name: '<unknown>', num: '<unknown>' };
  const m = /^\s*"?([^"<]*?)"?\s*<([^>]*)>\s*$/.exec(callerId);
  if (m) return { name: m[1] || '<unknown>', num: m[2] || '<unknown>' };
  return { name: '<unknown>', num: callerId.trim() };
}

// Error types raised by the AMI client, so callers can tell a bad login from a timeout or a dropped socket.
// Messages never contain action field values (dial strings carry phone numbers).

export class AmiError extends Error {
  override name = 'AmiError';
}

/** Login was refused (wrong user/secret, or no challenge). Retrying will not help without new credentials. */
export class AmiAuthError extends AmiError {
  override name = 'AmiAuthError';
}

/** No response to an action within its timeout. */
export class AmiTimeoutError extends AmiError {
  override name = 'AmiTimeoutError';
}

/** The socket is not connected, or closed while the action was pending. */
export class AmiConnectionError extends AmiError {
  override name = 'AmiConnectionError';
}

/** Asterisk answered `Response: Error`; `response` is its packet (lowercased keys). */
export class AmiActionError extends AmiError {
  override name = 'AmiActionError';
  readonly action: string;
  readonly response: Readonly<Record<string, string>>;

  constructor(action: string, response: Readonly<Record<string, string>>) {
    super(`AMI ${action} failed: ${response.message ?? 'no message'}`);
    this.action = action;
    this.response = response;
  }
}

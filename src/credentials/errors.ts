/** Why credentials could not be loaded. All but the last are public `ik-error` codes. */
export const CredentialsErrorCode = {
  NETWORK_OFFLINE: 'network_offline',
  NETWORK_ERROR: 'network_error',
  LINK_INVALID: 'link_invalid',
  LINK_EXPIRED: 'link_expired',
  LINK_REVOKED: 'link_revoked',
  LINK_MAX_USE: 'link_max_use',
  /** Part of the element itself (a lazy chunk) could not be fetched: not the link's fault. */
  LOAD_FAILED: 'load_failed',
  /** The endpoint answered 200 with a body that breaks the contract. */
  RESPONSE_INVALID: 'response_invalid',
} as const;
export type CredentialsErrorCode = (typeof CredentialsErrorCode)[keyof typeof CredentialsErrorCode];
/** The codes a guest and a host page see: a malformed answer is reported as `network_error`. */
export type LoadErrorCode = Exclude<CredentialsErrorCode, 'response_invalid'>;

/**
 * A typed failure from a resolver. Messages are written for logs and never contain the token
 * or any secret from the response (tickets, keys).
 */
export class CredentialsError extends Error {
  override readonly name = 'CredentialsError';
  readonly code: CredentialsErrorCode;
  /** For `response_invalid`: one entry per offending field, e.g. `credentials[0].ticket: ...`. */
  readonly issues: readonly string[];
  /** HTTP status when the endpoint answered, for diagnostics. */
  readonly status: number | undefined;
  /** Seconds from `Retry-After` on 429/503, when sent. */
  readonly retryAfterS: number | undefined;

  constructor(
    code: CredentialsErrorCode,
    message: string,
    details: { issues?: readonly string[]; status?: number; retryAfterS?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.issues = details.issues ?? [];
    this.status = details.status;
    this.retryAfterS = details.retryAfterS;
  }
}

export function isCredentialsError(value: unknown): value is CredentialsError {
  return value instanceof CredentialsError;
}

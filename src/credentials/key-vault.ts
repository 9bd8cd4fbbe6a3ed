import type { CredentialsResponse } from './types.ts';

/** An answer as kept: the response body as received and when it was received (epoch ms). */
export interface SavedAnswer {
  body: unknown;
  receivedAt: number;
}

/**
 * Keeps credential answers across page loads, so a guest offline or on a slow network sees
 * the key at once. The credentials controller asks it once per first load, in parallel with
 * the request, and tells it each fresh answer. Answers hold tickets and keys: an
 * implementation keeps them on this device only.
 */
export interface KeyVault {
  /**
   * A saved answer for `token`, or `undefined`. It is shown only while the request is still
   * out, and validated like any answer; resolve at once, or after a grace delay so a fast
   * network wins. Should not reject (a rejection counts as `undefined`).
   */
  saved(token: string, signal: AbortSignal): Promise<SavedAnswer | undefined>;
  /** A fresh, validated answer for `token`, to keep. */
  keep(token: string, data: CredentialsResponse): void;
  /** The link is over (expired or revoked): forget what was kept for `token`. */
  forget(token: string): void;
}

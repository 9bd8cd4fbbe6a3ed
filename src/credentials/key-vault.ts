import type { CredentialsResponse } from './types.ts';

/** An answer as kept: the response body as received and when it was received (epoch ms). */
export interface SavedAnswer {
  body: unknown;
  receivedAt: number;
}

/** Verdicts on the link itself after which nothing kept for it may open a door. */
export type LinkEndCode = 'link_expired' | 'link_revoked' | 'link_invalid';

/**
 * Keeps credential answers across page loads, so a guest offline or on a slow network sees
 * the key at once. The credentials controller asks it once per first load, in parallel with
 * the request, shows the saved answer when the request fails on the network or is still out
 * after `SAVED_AFTER_MS`, and tells it each fresh answer. Answers hold tickets and keys: an
 * implementation keeps them on this device only (src/vault/ seals them).
 */
export interface KeyVault {
  /**
   * A saved answer for `token`, or `undefined`, as soon as it can be read. It is shown only
   * while no fresh answer is there, and validated like any answer. Should not reject (a
   * rejection counts as `undefined`).
   */
  saved(token: string, signal: AbortSignal): Promise<SavedAnswer | undefined>;
  /** A fresh, validated answer for `token`, to keep. */
  keep(token: string, data: CredentialsResponse): void;
  /** The link is over: forget what was kept for `token`, remembering only `code`. */
  forget(token: string, code: LinkEndCode): void;
}

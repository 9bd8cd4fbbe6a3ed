import { hint } from '../hints.ts';
import { deviceProof } from './device-proof.ts';
import type { ProofRequest } from './dpop.ts';
import { CredentialsError, type CredentialsErrorCode } from './errors.ts';
import type { CredentialsResolver, CredentialsResponse } from './types.ts';

/*
 * The default resolver: the HTTP contract of api.md, section 2, each request signed with a
 * DPoP proof of this browser's device key (RFC 9449; see device-proof.ts and the README).
 * Everything here that can go wrong ends as a `CredentialsError`, except an abort, which
 * rethrows the signal's reason so callers can tell "superseded" from "failed".
 */

export const CREDENTIALS_PATH = '/instant_keys/credentials';

/** Default for `timeoutMs`: a hung server is reported, well before a guest gives up on the page. */
export const DEFAULT_TIMEOUT_MS = 15_000;

export interface HttpResolverOptions {
  /** Absolute base URL of the credential endpoint (see `resolveEndpoint`). */
  endpoint: string;
  /** Injected for tests; defaults to the global `fetch`. */
  fetch?: typeof fetch;
  /** Defaults to `navigator.onLine`; used only to name a failed fetch. */
  isOnline?: () => boolean;
  /**
   * Milliseconds the whole request (answer and body) may take before it fails as
   * `network_error`; default `DEFAULT_TIMEOUT_MS`.
   */
  timeoutMs?: number;
  /**
   * Proof of possession for each request (a DPoP JWT, RFC 9449), sent as the `DPoP` header;
   * defaults to one signed with this browser's device key (`device-proof.ts`). Called anew
   * for every request sent, with the server's `DPoP-Nonce` once it asked for one. A rejection
   * fails the request as `network_error`, before anything is sent.
   */
  proof?: (request: ProofRequest) => Promise<string>;
}

/**
 * The element's `endpoint` attribute as an absolute URL: empty or absent means the page's
 * own origin; a relative value resolves against the page.
 */
export function resolveEndpoint(endpoint: string | null | undefined, base: string): string {
  const raw = endpoint?.trim() ? endpoint.trim() : new URL(base).origin;
  return new URL(raw, base).href;
}

export function credentialsUrl(endpoint: string): string {
  return endpoint.replace(/\/+$/, '') + CREDENTIALS_PATH;
}

/** A token can only travel in a header if it is visible ASCII; anything else cannot be ours. */
const HEADER_SAFE_RE = /^[\x21-\x7e]+$/;

/**
 * The element's default resolver: `GET {endpoint}/instant_keys/credentials` with the link token
 * and a device proof, `If-None-Match` while the tickets are fresh, and the errors named for the
 * guest. It hands the 200 body on as parsed: `<instant-key>` validates every resolver's answer
 * (`validateCredentialsResponse`) before anything of it is shown or used; a host calling it on
 * its own validates the same way (`instant-key/validate`).
 */
export function createHttpResolver(options: HttpResolverOptions): CredentialsResolver {
  const url = credentialsUrl(options.endpoint);
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const proof = options.proof ?? deviceProof;
  const isOnline = options.isOnline ?? (() => typeof navigator === 'undefined' || navigator.onLine !== false);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  // The last good answer and its ETag, for `If-None-Match` when the caller's tickets are fresh.
  let last: { token: string; etag: string; body: CredentialsResponse } | undefined;
  // The server's last DPoP nonce: once its clock and ours disagree, every proof needs one.
  let nonce: string | undefined;

  return async (token, { signal: caller, revalidate }) => {
    caller.throwIfAborted();
    if (!HEADER_SAFE_RE.test(token)) {
      throw new CredentialsError('link_invalid', 'The link token is malformed');
    }
    // The caller's signal and the timeout, combined by hand: AbortSignal.any is newer than
    // some of the Chromium browsers that can unlock.
    const request = new AbortController();
    const abort = (): void => request.abort();
    caller.addEventListener('abort', abort);
    const timer = setTimeout(abort, timeoutMs);
    const signal = request.signal;
    // Rethrows the caller's abort as is and names a timeout; returns for any other failure.
    const stopped = (error: unknown): void => {
      if (caller.aborted) throw caller.reason;
      if (signal.aborted) {
        throw new CredentialsError('network_error', `The credential endpoint did not answer within ${timeoutMs} ms`, { cause: error });
      }
    };
    try {
      const send = async (): Promise<Response> => {
        const signed = await proof({ htm: 'GET', htu: url, token, nonce }).catch((cause: unknown) => {
          stopped(cause);
          throw new CredentialsError('network_error', 'The request proof (DPoP) could not be made', { cause });
        });
        const headers: Record<string, string> = { Authorization: `Bearer ${token}`, DPoP: signed, Accept: 'application/json' };
        const known = revalidate && last?.token === token ? last : undefined;
        if (known) headers['If-None-Match'] = known.etag;
        try {
          signal.throwIfAborted();
          return await doFetch(url, {
            method: 'GET',
            headers,
            signal,
            // The answer carries secrets: never from or into a cache, never with cookies.
            cache: 'no-store',
            credentials: 'omit',
            // The contract has no redirects; following one would resend the bearer token.
            redirect: 'error',
          });
        } catch (error) {
          stopped(error);
          const offline = !isOnline();
          if (!offline) corsHint(url, error);
          throw new CredentialsError(
            offline ? 'network_offline' : 'network_error',
            offline ? 'The device is offline' : 'The credential endpoint could not be reached',
            { cause: error },
          );
        }
      };
      let response = await send();
      // A proof the server finds stale (this device's clock is off) is answered with a nonce
      // to sign with (RFC 9449 section 8): once, per request.
      const fresh = response.headers.get('DPoP-Nonce');
      if (response.status === 401 && fresh && fresh.length <= 256) {
        nonce = fresh;
        void response.body?.cancel();
        response = await send();
      }
      if (response.status === 304 && last?.token === token) return last.body;
      if (response.status !== 200) throw await httpError(response, caller);
      const body = await parseSuccess(response, stopped);
      const etag = response.headers.get('ETag');
      last = etag ? { token, etag, body } : undefined;
      return body;
    } finally {
      clearTimeout(timer);
      caller.removeEventListener('abort', abort);
    }
  };
}

/**
 * A fetch that rejects with a TypeError while online, to another origin, is what a CORS
 * refusal looks like from the page (the browser hides the reason): name the likely fix.
 */
function corsHint(url: string, error: unknown): void {
  const page = typeof location === 'undefined' ? undefined : location.origin;
  const endpoint = new URL(url).origin;
  if (error instanceof TypeError && page && page !== endpoint) {
    hint(`${endpoint} did not answer this page (${page}), most likely refusing its origin (CORS): add ${page} to the server's ALLOWED_ORIGINS.`);
  }
}

/** Throws when the request was stopped (aborted or timed out) rather than failed. */
type Stopped = (error: unknown) => void;

async function parseSuccess(response: Response, stopped: Stopped): Promise<CredentialsResponse> {
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    stopped(error);
    throw new CredentialsError('response_invalid', 'The credential endpoint answered with invalid JSON', {
      status: 200,
      cause: error,
    });
  }
  // Validated by the element (as every resolver's answer is), with the key view's validator.
  return body as CredentialsResponse;
}

/** A body cut short by the timeout still leaves the status to go by. */
async function httpError(response: Response, caller: AbortSignal): Promise<CredentialsError> {
  const status = response.status;
  const type = await errorType(response);
  if (caller.aborted) throw caller.reason;
  const retryAfterS = retryAfter(response.headers.get('Retry-After'));
  // The code says what it means for the guest; the message keeps the answer, for logs.
  return new CredentialsError(classify(status, type), `The credential endpoint answered HTTP ${status}${type ? ` ${type}` : ''}`, {
    status,
    ...(retryAfterS === undefined ? {} : { retryAfterS }),
  });
}

/** `Retry-After` in seconds (the HTTP-date form is not used by the contract). */
function retryAfter(header: string | null): number | undefined {
  if (header === null || !/^\d{1,6}$/.test(header.trim())) return undefined;
  return Number(header.trim());
}

function classify(status: number, type: string | undefined): CredentialsErrorCode {
  if (status === 401 && type === 'instant_key_expired') return 'link_expired';
  // A refused device proof says nothing about the link: a fresh request may well pass.
  if (status === 401 && type !== undefined && type.includes('dpop')) return 'network_error';
  // 400 is a malformed Authorization header: the one input that comes from the guest's link.
  if (status === 401 || status === 400) return 'link_invalid';
  if (status === 410) return 'link_revoked';
  if (status === 403 && type === 'max_use_count_exceeded') return 'link_max_use';
  return 'network_error';
}

/** Seam-shaped `{ error: { type } }`; anything else (HTML from a proxy, say) gives undefined. */
async function errorType(response: Response): Promise<string | undefined> {
  try {
    const body: unknown = await response.json();
    const type = (body as { error?: { type?: unknown } } | null)?.error?.type;
    return typeof type === 'string' && /^[a-z_]{1,64}$/.test(type) ? type : undefined;
  } catch {
    return undefined;
  }
}

import type { LockTransport } from '../ble/lock-transport.ts';
import type { CredentialsResolver } from '../credentials/types.ts';
import { Lazy } from '../lazy.ts';

/*
 * `<instant-key preview>` as the two seams the element already has: a resolver for the sample
 * key and a transport for its in-page virtual locks. The sample itself (tickets, locks, the
 * lock side of IK1) is loaded on demand from preview.ts.
 */

const sample = new Lazy(() => import('./preview.ts'));

/** The sample key, or the load failure `failWith` names. */
export function previewResolver(failWith: string): CredentialsResolver {
  return async () => (await sample.load()).previewResponse(failWith);
}

/** In-page virtual locks; every unlock ends with `failWith` when it names an error code. */
export function previewLocks(failWith: string): LockTransport {
  return {
    availability: async () => true,
    watchAvailability() {},
    prepare() {},
    inRange: () => false,
    unlock: async (credentials, signal) => (await sample.load()).previewUnlock(credentials, failWith, signal),
    stop() {},
  };
}

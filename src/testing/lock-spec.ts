import { base64urlToBytes } from '../protocol/bytes.ts';
import { VirtualLock, type LockFaults } from './virtual-lock.ts';

/** A virtual lock described in JSON, as browser tests send it to the Node side. */
export interface LockSpec {
  lockId: string;
  /** The lock's 32-byte key, base64url. */
  lockKey: string;
  name?: string;
  maxFrame?: number;
  faults?: Partial<LockFaults>;
  /** Credential ids on the lock's revocation list, put there by hand (`VirtualLock.revoke`). */
  revoked?: string[];
  /** Lock updates (base64url) applied in order at start, as if phones had carried them. */
  updates?: string[];
  /** See `VirtualLockOptions.challengeWindowMs`. */
  challengeWindowMs?: number;
}

export function lockFromSpec(spec: LockSpec): VirtualLock {
  const lock = new VirtualLock({
    lockId: spec.lockId,
    lockKey: base64urlToBytes(spec.lockKey),
    ...(spec.name ? { name: spec.name } : {}),
    ...(spec.maxFrame ? { maxFrame: spec.maxFrame } : {}),
    ...(spec.faults ? { faults: spec.faults } : {}),
    ...(spec.challengeWindowMs ? { challengeWindowMs: spec.challengeWindowMs } : {}),
  });
  for (const credentialId of spec.revoked ?? []) lock.revoke(credentialId);
  for (const update of spec.updates ?? []) lock.applyUpdate(base64urlToBytes(update));
  return lock;
}

/*
 * The element's `remember` mode (issue 14), loaded only by pages that opt in: before the
 * first request, finds the key in the device vault (by its token, or by the `#k=` handle a
 * reload brings back) and puts its handle in the address bar. A key that ended before says
 * so at once, offline too, and nothing is requested.
 */
import type { ReactiveElement } from 'lit';
import { ikEvent } from '../events.ts';
import { keyFailed, type KeyStore } from '../state/index.ts';
import { fragmentHandle, hideHandle, showHandle } from './address-bar.ts';
import { DeviceKeyVault } from './device-vault.ts';

/** A key kept on this device: load `token`, keep its answers in `vault`. */
export interface Kept {
  token: string;
  vault: DeviceKeyVault;
  /** "Remove this key from this phone": deletes it, clears its handle, says so. */
  remove(): Promise<void>;
}

export interface RecallOptions {
  host: ReactiveElement;
  $key: KeyStore;
  /** The link token the page was given (attribute or fragment), if any. */
  token: string | undefined;
  /** The credential endpoint a kept key is bound to (the `endpoint` attribute, resolved). */
  scope: string;
  /** Whether the handle belongs in the address bar (a fragment key, not a `token` attribute). */
  inAddressBar: boolean;
}

/**
 * The kept key to load; `final` when the vault already had the verdict (ended, or a handle
 * this browser does not hold), written to `$key`; undefined when there is nothing to keep
 * or no safe way to (then the element works as without `remember`).
 */
export async function recall(options: RecallOptions): Promise<Kept | 'final' | undefined> {
  const { $key, token } = options;
  const handle = token ? undefined : fragmentHandle();
  if (!token && !handle) return undefined;
  const vault = await DeviceKeyVault.open(options.scope);
  if (!vault) return undefined;
  const found = await vault.recall(token ? { token } : { handle: handle! });
  if (found.kind === 'missing') {
    keyFailed($key, 'link_invalid', 'This key is not kept on this device', 'missing');
    return 'final';
  }
  if (options.inAddressBar) showHandle(found.handle);
  if (found.kind === 'ended') {
    const message = 'The link ended before (remembered on this device)';
    keyFailed($key, found.code, message);
    options.host.dispatchEvent(ikEvent('ik-error', { code: found.code, message }));
    return 'final';
  }
  return {
    token: found.token,
    vault,
    async remove() {
      hideHandle(found.handle);
      keyFailed($key, 'link_invalid', 'The key was removed from this device', 'removed');
      await vault.remove(found.handle).catch(() => undefined);
    },
  };
}

/*
 * Whether this page can use Bluetooth at all (Web Bluetooth, or a native host's bridge), decided before any request (api.md: an
 * unsupported browser must not spend one of the key's devices). Pure over an injectable
 * environment so the rules are unit-tested in Node.
 */

export const UnsupportedReason = {
  /** Not https (or localhost): browsers hide Web Bluetooth there. */
  INSECURE_CONTEXT: 'insecure_context',
  /** The browser has no Web Bluetooth (Safari, Firefox, iOS, most desktop Linux builds). */
  NO_BLUETOOTH: 'no_bluetooth',
  /** An embedding page's Permissions-Policy denies `bluetooth` to this frame. */
  BLOCKED_BY_POLICY: 'blocked_by_policy',
} as const;
export type UnsupportedReason = (typeof UnsupportedReason)[keyof typeof UnsupportedReason];

export type Support = { supported: true } | { supported: false; reason: UnsupportedReason };

interface PolicyLike {
  allowsFeature(feature: string): boolean;
}

export interface CapabilityEnv {
  isSecureContext?: boolean;
  /** A native host's bridge (docs/native-bridge.md): Bluetooth without Web Bluetooth. */
  instantKeyBridge?: unknown;
  navigator?: { bluetooth?: unknown };
  document?: { permissionsPolicy?: PolicyLike; featurePolicy?: PolicyLike };
}

export function detectSupport(env: CapabilityEnv = globalThis as CapabilityEnv): Support {
  if (env.isSecureContext !== true) return { supported: false, reason: 'insecure_context' };
  // The host lends its own Bluetooth: no Web Bluetooth or permissions policy involved.
  if (hasBridge(env)) return { supported: true };
  if (!env.navigator?.bluetooth) return { supported: false, reason: 'no_bluetooth' };
  // Chromium still names it `featurePolicy`; the standard name is `permissionsPolicy`.
  const policy = env.document?.permissionsPolicy ?? env.document?.featurePolicy;
  try {
    if (policy && !policy.allowsFeature('bluetooth')) return { supported: false, reason: 'blocked_by_policy' };
  } catch {
    // An unknown feature name may throw in some engines: treat as allowed and let the request tell.
  }
  return { supported: true };
}

/** Whether a native host injected `window.instantKeyBridge` (an object with a `send` function). */
export function hasBridge(env: { instantKeyBridge?: unknown } = globalThis as { instantKeyBridge?: unknown }): boolean {
  return typeof (env.instantKeyBridge as { send?: unknown } | null | undefined)?.send === 'function';
}

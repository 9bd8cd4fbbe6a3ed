import type { KeyValue } from './key.ts';
import type { UnlockValue } from './unlock.ts';

/** The element's reflected `state` attribute (api.md, section 3). */
export const ElementState = {
  LOADING: 'loading',
  READY: 'ready',
  UNLOCKING: 'unlocking',
  UNLOCKED: 'unlocked',
  ERROR: 'error',
  UNSUPPORTED: 'unsupported',
  EXPIRED: 'expired',
  REVOKED: 'revoked',
} as const;
export type ElementState = (typeof ElementState)[keyof typeof ElementState];

/**
 * The one place the state machine lives: a pure function of the two stores, so the
 * attribute, the view and the tests cannot disagree.
 */
export function deriveElementState(key: KeyValue, unlock: UnlockValue): ElementState {
  switch (key.status) {
    case 'unsupported':
      return 'unsupported';
    case 'idle':
    case 'loading':
      return 'loading';
    case 'failed':
      // An invalid link, a device limit or a network failure with nothing to show is an
      // `error`; the code tells them apart. Expired and revoked describe the link itself.
      if (key.code === 'link_expired') return 'expired';
      if (key.code === 'link_revoked') return 'revoked';
      return 'error';
    case 'loaded':
      switch (unlock.phase) {
        case 'unlocking':
          return 'unlocking';
        case 'unlocked':
          return 'unlocked';
        case 'failed':
          return 'error';
        case 'idle':
          return 'ready';
      }
  }
}

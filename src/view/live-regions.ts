import type { KeyValue, UnlockValue } from '../state/index.ts';
import type { Text } from './text.ts';

/**
 * What screen readers hear, as [polite, assertive]: progress and success are polite, errors
 * interrupt. `entrance` names the door of the current attempt.
 */
export function announcements(text: Text, key: KeyValue, unlock: UnlockValue, entrance: string): [string, string] {
  switch (key.status) {
    case 'idle':
    case 'loading':
      return [text.t('status.loading'), ''];
    case 'unsupported':
      return ['', text.t('unsupported.title')];
    case 'failed':
      return ['', text.t(`error.${key.code}`)];
    case 'loaded':
      break;
  }
  switch (unlock.phase) {
    case 'idle': {
      const notice = key.stale ?? unlock.notice;
      return [notice ? text.t(`notice.${notice}`) : text.t('status.ready'), ''];
    }
    case 'unlocking':
      return [text.t('status.unlocking', { entrance }), ''];
    case 'unlocked':
      return [text.t('status.unlocked', { entrance }), ''];
    case 'failed':
      return ['', `${text.t('error.unlockTitle', { entrance })} ${text.t(`error.${unlock.code}`)}`];
  }
}

import type { KeyValue, UnlockValue } from '../state/index.ts';
import type { Text } from './text.ts';

/**
 * What screen readers hear, as [polite, assertive]: progress and success are polite, errors
 * interrupt. `entrance` names the door of the current attempt; `tickets`, the key view's word
 * on its tickets (offline until, ending, renew).
 */
export function announcements(text: Text, key: KeyValue, unlock: UnlockValue, entrance: string, tickets?: string): [string, string] {
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
    case 'idle':
      // `tickets`: until when a key that is not fresh works (from the key view, src/view/key.ts).
      return [tickets ?? (unlock.notice ? text.t(`notice.${unlock.notice}`) : text.t('status.ready')), ''];
    case 'unlocking':
      return [text.t('status.unlocking', { entrance }), ''];
    case 'unlocked':
      return [text.t('status.unlocked', { entrance }), ''];
    case 'failed':
      return ['', `${text.t('error.unlockTitle', { entrance })} ${text.t(`error.${unlock.code}`)}`];
  }
}

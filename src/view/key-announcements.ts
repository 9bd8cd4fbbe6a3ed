import type { KeyValue, UnlockValue } from '../state/index.ts';
import { ticketAnnouncement } from './key.ts';
import { noticeText } from './notice.ts';
import type { Text } from './text.ts';

/**
 * What screen readers hear about a loaded key, as [polite, assertive]: progress and success
 * are polite, errors interrupt. `entrance` names the door of the current (or just closed)
 * attempt.
 */
export function keyAnnouncements(text: Text, key: Extract<KeyValue, { status: 'loaded' }>, unlock: UnlockValue, entrance: string): [string, string] {
  switch (unlock.phase) {
    case 'idle':
      return [ticketAnnouncement(text, key) ?? (unlock.notice ? noticeText(text, unlock.notice, entrance) : text.t('status.ready')), ''];
    case 'unlocking':
      return [text.t('status.unlocking', { entrance }), ''];
    case 'unlocked':
      return [text.t('status.unlocked', { entrance }), ''];
    case 'failed':
      return ['', `${text.t('error.unlockTitle', { entrance })} ${text.t(`error.${unlock.code}`)}`];
  }
}

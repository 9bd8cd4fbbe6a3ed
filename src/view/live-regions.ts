import type { KeyValue } from '../state/index.ts';
import type { Text } from './text.ts';

/**
 * What screen readers hear, as [polite, assertive], until a key is loaded (then the key view's
 * `keyAnnouncements` speaks): progress is polite, failures interrupt.
 */
export function announcements(text: Text, key: Exclude<KeyValue, { status: 'loaded' }>): [string, string] {
  switch (key.status) {
    case 'idle':
    case 'loading':
      return [text.t('status.loading'), ''];
    case 'unsupported':
      return ['', text.t('unsupported.title')];
    case 'failed':
      return ['', text.t(`error.${key.code}`)];
  }
}

import { html, nothing } from 'lit';
import type { UnlockValue } from '../state/index.ts';
import type { Text } from './text.ts';

/** The quiet notices of an attempt: a closed chooser, Bluetooth off (a key that is not fresh says so in view/key.ts). */
export type NoticeCode = NonNullable<Extract<UnlockValue, { phase: 'idle' }>['notice']>;

/** A notice's words; `entrance` names the door a closed chooser was for, when there was one. */
export function noticeText(text: Text, code: NoticeCode, entrance?: string): string {
  return code === 'ble_cancelled' && entrance ? text.t('notice.ble_cancelled_for', { entrance }) : text.t(`notice.${code}`);
}

/**
 * A quiet notice. It sits at the end of the element and sticks to the bottom of the screen, so
 * neither its arrival nor its going moves the doors under the guest's thumb.
 */
export function notice(text: Text, code: NoticeCode | undefined, entrance?: string): unknown {
  return code ? html`<p part="notice" class="notice" data-code=${code}>${noticeText(text, code, entrance)}</p>` : nothing;
}


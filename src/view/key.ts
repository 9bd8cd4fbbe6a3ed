/*
 * The loaded key: issuer and stay, the chooser line, the doors and the last attempt's outcome,
 * with what only a loaded key needs (its English strings and styles, the unlock, outcome and
 * clock controllers). A chunk of its own, loaded in parallel with the first credential request
 * (the element shows `loading` until both arrived): none of it is needed for the loading,
 * unsupported or link states, so the script-tag file stays small.
 */
import { html, nothing, type ReactiveElement, type TemplateResult } from 'lit';
import type { Credential, Customization } from '../credentials/types.ts';
import { enKey } from '../i18n/en-key.ts';
import { extendEnglish } from '../i18n/index.ts';
import type { KeyValue, Stale, UnlockValue } from '../state/index.ts';
import { ticketWindow, type TicketWindow } from '../state/offline.ts';
import { doors } from './doors.ts';
import { header } from './header.ts';
import { actionButton, message } from './message.ts';
import { notice } from './notice.ts';
import type { Text } from './text.ts';
import { unlockFailure, type UnlockFailureActions } from './unlock-failure.ts';

extendEnglish(enKey);

export { ClockController } from '../controllers/clock.ts';
export { OutcomeController } from '../controllers/outcome.ts';
export { UnlockController } from '../controllers/unlock.ts';
export { enKey, isMessageKey } from '../i18n/en-key.ts';
export { keyAnnouncements } from './key-announcements.ts';
export { keyStyles } from './key.styles.ts';
export { validateCredentialsResponse } from '../credentials/validate.ts';

export interface KeyViewProps extends Omit<UnlockFailureActions, 'offline'> {
  key: Extract<KeyValue, { status: 'loaded' }>;
  unlock: UnlockValue;
  /** The door of the current attempt, by name. */
  entrance: string;
  /** The front desk's contact: the issuer's, else the host page's. */
  support: Customization;
  /** Before this device's first chooser: say the phone will list nearby locks. */
  chooserHint: boolean;
  inRange(credential: Credential): boolean;
  /** A tap on a door (its credential id) or on "Unlock nearby door" (`NEARBY`). */
  onUnlock(event: Event, target: string, credentials: readonly Credential[]): void;
  /** "Remove this key from this phone", when the key is kept on this device. */
  remove?: () => void;
  /** The element, rendered again when the ticket window changes (see `wakeAt`). */
  host: ReactiveElement;
}

export function keyView(text: Text, props: KeyViewProps): unknown[] {
  const { key, unlock } = props;
  const { data } = key;
  // Only tickets with time left are offered (issue 14): the lock refuses the others.
  const window = ticketWindow(data, Date.now());
  const renew = window.phase === 'renew' && data.credentials.length > 0;
  wakeAt(props.host, window.nextChange);
  return [
    header(text, data),
    renew ? message('renew', text.t('renew.title'), text.t('renew.body')) : nothing,
    props.chooserHint && data.credentials.length ? html`<p part="hint" class="muted hint">${text.t('key.chooserHint')}</p>` : nothing,
    doors(text, {
      credentials: data.credentials,
      usable: window.usable,
      upcoming: data.upcoming,
      unlock,
      timeZone: data.instant_key.time_zone,
      inRange: props.inRange,
      onUnlock: props.onUnlock,
      failure: (target) =>
        unlock.phase === 'failed' && unlock.credentialId === target
          ? unlockFailure(text, unlock, props.entrance, props.support, { ...props, offline: !!key.stale })
          : nothing,
    }),
    props.remove ? html`<div class="actions">${actionButton(text, 'remove-button', 'action.remove', props.remove, true)}</div>` : nothing,
  ];
}

const wakes = new WeakMap<ReactiveElement, ReturnType<typeof setTimeout>>();

/**
 * Renders `host` again at `at` (epoch ms), when a warning is due or a ticket runs out:
 * offline, no network event would.
 */
function wakeAt(host: ReactiveElement, at: number | undefined): void {
  clearTimeout(wakes.get(host));
  if (at !== undefined) wakes.set(host, setTimeout(() => host.isConnected && host.requestUpdate(), Math.min(at - Date.now(), 0x7fffffff)));
}

/** Until when a key that is not fresh works, and the warning shortly before (issue 14). */
function ticketNotice(text: Text, stale: Stale | undefined, window: TicketWindow): TemplateResult | undefined {
  const notice = ticketNoticeText(text, stale, window);
  return notice && html`<p part="notice" class="notice" data-code=${notice[0]}>${notice[1]}</p>`;
}

function ticketNoticeText(text: Text, stale: Stale | undefined, window: TicketWindow): [code: string, text: string] | undefined {
  if (window.until === undefined || (!stale && window.phase !== 'ending')) return undefined;
  const code = window.phase === 'ending' ? 'ending' : stale!;
  return [code, text.t(`notice.${code}`, { time: clock(text, window.until) })];
}

/**
 * The quiet notice at the bottom of the key: until when a key that is not fresh works (or the
 * warning shortly before its tickets run out), else the last attempt's.
 */
export function keyNotice(text: Text, key: Extract<KeyValue, { status: 'loaded' }>, unlock: UnlockValue, entrance?: string): unknown {
  return ticketNotice(text, key.stale, ticketWindow(key.data, Date.now())) ?? notice(text, unlock.phase === 'idle' ? unlock.notice : undefined, entrance);
}

/** What the live region says of the key's tickets, when anything (the visible notice's words). */
export function ticketAnnouncement(text: Text, key: Extract<KeyValue, { status: 'loaded' }>): string | undefined {
  const window = ticketWindow(key.data, Date.now());
  if (window.phase === 'renew' && key.data.credentials.length) return text.t('renew.title');
  return ticketNoticeText(text, key.stale, window)?.[1];
}

/** A time today as `14:05` (in the guest's format), another day's with its date. */
function clock(text: Text, at: number): string {
  const sameDay = new Date(at).toDateString() === new Date().toDateString();
  return new Intl.DateTimeFormat(text.dateLocale, sameDay ? { timeStyle: 'short' } : { dateStyle: 'medium', timeStyle: 'short' }).format(at);
}

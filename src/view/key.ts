/*
 * The loaded key: issuer and stay, the chooser line, the doors and the last attempt's outcome,
 * with what only a loaded key needs (its English strings and styles, the unlock, outcome and
 * clock controllers). A chunk of its own, loaded in parallel with the first credential request
 * (the element shows `loading` until both arrived): none of it is needed for the loading,
 * unsupported or link states, so the script-tag file stays small.
 */
import { html, nothing } from 'lit';
import type { Credential, Customization } from '../credentials/types.ts';
import { enKey } from '../i18n/en-key.ts';
import { extendEnglish } from '../i18n/index.ts';
import type { KeyValue, UnlockValue } from '../state/index.ts';
import { doors } from './doors.ts';
import { header } from './header.ts';
import type { Text } from './text.ts';
import { unlockFailure, type UnlockFailureActions } from './unlock-failure.ts';

extendEnglish(enKey);

export { ClockController } from '../controllers/clock.ts';
export { OutcomeController } from '../controllers/outcome.ts';
export { UnlockController } from '../controllers/unlock.ts';
export { enKey, isMessageKey } from '../i18n/en-key.ts';
export { keyAnnouncements } from './key-announcements.ts';
export { keyStyles } from './key.styles.ts';
export { notice } from './notice.ts';

export interface KeyViewProps extends UnlockFailureActions {
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
}

export function keyView(text: Text, props: KeyViewProps): unknown[] {
  const { key, unlock } = props;
  const { data } = key;
  return [
    header(text, data),
    props.chooserHint && data.credentials.length ? html`<p part="hint" class="muted hint">${text.t('key.chooserHint')}</p>` : nothing,
    doors(text, {
      credentials: data.credentials,
      upcoming: data.upcoming,
      unlock,
      timeZone: data.instant_key.time_zone,
      inRange: props.inRange,
      onUnlock: props.onUnlock,
      failure: (target) =>
        unlock.phase === 'failed' && unlock.credentialId === target
          ? unlockFailure(text, unlock, props.entrance, props.support, props)
          : nothing,
    }),
  ];
}

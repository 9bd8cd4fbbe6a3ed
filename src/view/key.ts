/*
 * The loaded key: logo, greeting and stay, notice, the last unlock's failure and the doors.
 * A chunk of its own, loaded in parallel with the first credential request (the element
 * shows `loading` until both arrived): none of it is needed for the loading, unsupported or
 * link states, so the script-tag file stays small.
 */
import { nothing } from 'lit';
import type { Credential, CredentialsResponse } from '../credentials/types.ts';
import type { KeyValue, UnlockValue } from '../state/index.ts';
import { doors } from './doors.ts';
import { header, logo } from './header.ts';
import { notice } from './message.ts';
import type { Text } from './text.ts';
import { unlockFailure, type UnlockFailureActions } from './unlock-failure.ts';

export interface KeyViewProps extends UnlockFailureActions {
  key: Extract<KeyValue, { status: 'loaded' }>;
  unlock: UnlockValue;
  /** The door of the current attempt, by name. */
  entrance: string;
  inRange(credential: Credential): boolean;
  /** A tap on a door (its credential id) or on "Unlock nearby door" (`NEARBY`). */
  onUnlock(event: Event, target: string, credentials: readonly Credential[]): void;
}

export function keyView(text: Text, props: KeyViewProps): unknown[] {
  const { key, unlock } = props;
  const data: CredentialsResponse = key.data;
  return [
    logo(data.instant_key.customization.logo_url),
    header(text, data),
    notice(text, key.stale ?? (unlock.phase === 'idle' ? unlock.notice : undefined)),
    unlock.phase === 'failed' ? unlockFailure(text, unlock, props.entrance, props) : nothing,
    doors(text, { credentials: data.credentials, upcoming: data.upcoming, unlock, inRange: props.inRange, onUnlock: props.onUnlock }),
  ];
}

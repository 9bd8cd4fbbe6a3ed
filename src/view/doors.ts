import { html, nothing, type TemplateResult } from 'lit';
import { ENTRANCE_KINDS, type Credential, type Entrance, type UpcomingAccess } from '../credentials/types.ts';
import { NEARBY, type UnlockValue } from '../state/index.ts';
import { icon } from './icons.ts';
import type { Text } from './text.ts';
import { openAt } from './time.ts';

export interface DoorsProps {
  credentials: readonly Credential[];
  /** Those of `credentials` whose tickets have time left; the others show dimmed, not offered. */
  usable: readonly Credential[];
  upcoming: readonly UpcomingAccess[];
  unlock: UnlockValue;
  /** The property's time zone, for opening hours. */
  timeZone: string | undefined;
  inRange(credential: Credential): boolean;
  /** A tap on a door (its credential id) or on "Unlock nearby door" (`NEARBY`). */
  onUnlock(event: Event, target: string, credentials: readonly Credential[]): void;
  /** The failed attempt's message, shown under its door (or under "Unlock nearby door"). */
  failure(target: string): unknown;
}

/**
 * The doors: the room first and prominent, then each other kind in its group with its icon,
 * hours and location; "Unlock nearby door" when there are several; or when access starts.
 */
export function doors(text: Text, props: DoorsProps): unknown[] {
  const { credentials, usable, upcoming, unlock } = props;
  return [
    usable.length > 1
      ? html`<button part="nearby-button" class="nearby" type="button" aria-disabled=${String(unlock.phase === 'unlocking')} @click=${(e: Event) => props.onUnlock(e, NEARBY, usable)}>
            ${text.t('nearby.unlock')}
          </button>
          ${props.failure(NEARBY)}`
      : nothing,
    credentials.length
      ? ENTRANCE_KINDS.map((kind) => {
          const group = credentials.filter((c) => c.entrance.kind === kind);
          return group.length
            ? html`<section part="group" class="group" data-kind=${kind}>
                <h3 class="subtitle">${icon(kind)}${text.t(`group.${kind}`)}</h3>
                <ul part="entrances" class="list">
                  ${group.map((c) => {
                    const failure = props.failure(c.credential_id);
                    return [door(text, c, props), failure === nothing ? nothing : html`<li class="outcome">${failure}</li>`];
                  })}
                </ul>
              </section>`
            : nothing;
        })
      : html`<section part="empty" class="empty">
          <h3 class="subtitle">${text.t(upcoming.length ? 'empty.title' : 'empty.none')}</h3>
          ${upcoming.length ? html`<p>${text.t('empty.starts', { date: text.date(upcoming.map((u) => u.starts_at).sort()[0]!) })}</p>` : nothing}
        </section>`,
    upcoming.length
      ? html`<section class="group">
          <h3 class="subtitle">${text.t('upcoming.label')}</h3>
          <ul part="upcoming" class="list">
            ${upcoming.map(
              (u) => html`<li class="row" data-entrance-id=${u.entrance.acs_entrance_id}>
                <span class="text"><span class="name">${u.entrance.display_name}</span>
                <span class="muted">${text.t('upcoming.from', { date: text.date(u.starts_at) })}</span></span>
              </li>`,
            )}
          </ul>
        </section>`
      : nothing,
  ];
}

/**
 * Floor and room type for a room, hours and location for the rest: what tells doors apart.
 * Each part is a bidi isolate, so right-to-left text neither reverses `07:00–22:00` (always
 * left to right) nor mixes a Latin location into its neighbours.
 */
function details(text: Text, entrance: Entrance): string {
  const hours = entrance.hours && `\u2066${entrance.hours.replace('-', '–')}\u2069`;
  const parts = entrance.kind === 'guest_room' ? [entrance.floor && text.t('entrance.floor', { floor: entrance.floor }), entrance.room_type] : [hours, entrance.location];
  return parts
    .filter(Boolean)
    .map((part) => (part!.startsWith('\u2066') ? part : `\u2068${part}\u2069`))
    .join(' · ');
}

function door(text: Text, credential: Credential, props: DoorsProps): TemplateResult {
  const { unlock } = props;
  const entrance = credential.entrance;
  const mine = unlock.phase !== 'idle' && unlock.credentialId === credential.credential_id;
  const phase = mine ? unlock.phase : 'idle';
  const near = props.inRange(credential);
  const about = details(text, entrance);
  // Outside its hours an amenity says so; the unlock still tries, the lock decides.
  const closed = entrance.hours !== undefined && !openAt(entrance.hours, new Date(), props.timeZone);
  const offered = props.usable.includes(credential);
  return html`
    <li
      part="entrance"
      class="row ${phase === 'unlocked' ? 'done' : ''}"
      data-entrance-id=${entrance.acs_entrance_id}
      data-credential-id=${credential.credential_id}
      data-kind=${entrance.kind}
      data-in-range=${near}
      data-expired=${!offered}
    >
      <span class="text">
        <span class="name">${entrance.display_name}</span>
        ${about ? html`<span class="muted">${about}</span>` : nothing}
        <span class="muted">${near ? html`<span class="near">${text.t('entrance.inRange')}</span> · ` : nothing}${closed ? html`<span part="closed" class="closed">${text.t('entrance.closed')}</span> · ` : nothing}${text.t('entrance.until', { date: text.date(credential.ends_at) })}</span>
      </span>
      <button
        part="unlock-button"
        class="unlock ${phase === 'idle' ? '' : phase}"
        type="button"
        aria-disabled=${String(unlock.phase === 'unlocking' || !offered)}
        data-busy=${text.t('entrance.unlocking')}
        data-done=${text.t('entrance.unlocked')}
        @click=${(e: Event) => offered && props.onUnlock(e, credential.credential_id, [credential])}
      >
        <span class="label">${phase === 'unlocking' ? html`<span class="spinner"></span>` : phase === 'unlocked' ? icon('check') : nothing}${text.t(
          phase === 'unlocking' ? 'entrance.unlocking' : phase === 'unlocked' ? 'entrance.unlocked' : 'entrance.unlock',
        )}</span><span class="visually-hidden"> ${entrance.display_name}</span>
      </button>
    </li>
  `;
}

import { html, nothing, type TemplateResult } from 'lit';
import { ENTRANCE_KINDS, type Credential, type UpcomingAccess } from '../credentials/types.ts';
import { NEARBY, type UnlockValue } from '../state/index.ts';
import type { Text } from './text.ts';

export interface DoorsProps {
  credentials: readonly Credential[];
  upcoming: readonly UpcomingAccess[];
  unlock: UnlockValue;
  inRange(credential: Credential): boolean;
  /** A tap on a door (its credential id) or on "Unlock nearby door" (`NEARBY`). */
  onUnlock(event: Event, target: string, credentials: readonly Credential[]): void;
}

/** "Unlock nearby door", the doors grouped by kind (or when access starts), and the upcoming ones. */
export function doors(text: Text, props: DoorsProps): unknown[] {
  const { credentials, upcoming, unlock } = props;
  return [
    credentials.length > 1
      ? html`<button part="nearby-button" class="nearby" type="button" aria-disabled=${String(unlock.phase === 'unlocking')} @click=${(e: Event) => props.onUnlock(e, NEARBY, credentials)}>
          ${text.t('nearby.unlock')}
        </button>`
      : nothing,
    credentials.length
      ? ENTRANCE_KINDS.map((kind) => {
          const group = credentials.filter((c) => c.entrance.kind === kind);
          return group.length
            ? html`<section part="group" class="group" data-kind=${kind}>
                <h3 class="subtitle">${text.t(`group.${kind}`)}</h3>
                <ul part="entrances" class="list">
                  ${group.map((c) => door(text, c, props))}
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

function door(text: Text, credential: Credential, props: DoorsProps): TemplateResult {
  const { unlock } = props;
  const entrance = credential.entrance;
  const mine = unlock.phase !== 'idle' && unlock.credentialId === credential.credential_id;
  const near = props.inRange(credential);
  const label = mine && unlock.phase === 'unlocking' ? 'entrance.unlocking' : mine && unlock.phase === 'unlocked' ? 'entrance.unlocked' : 'entrance.unlock';
  return html`
    <li
      part="entrance"
      class="row"
      data-entrance-id=${entrance.acs_entrance_id}
      data-credential-id=${credential.credential_id}
      data-kind=${entrance.kind}
      data-in-range=${near}
    >
      <span class="text">
        <span class="name">${entrance.display_name}</span>
        <span class="muted">${near ? html`<span class="near">${text.t('entrance.inRange')}</span> · ` : nothing}${text.t('entrance.until', { date: text.date(credential.ends_at) })}</span>
      </span>
      <button
        part="unlock-button"
        class=${mine ? unlock.phase : ''}
        type="button"
        aria-disabled=${String(unlock.phase === 'unlocking')}
        @click=${(e: Event) => props.onUnlock(e, credential.credential_id, [credential])}
      >
        ${mine && unlock.phase === 'unlocking' ? html`<span class="spinner"></span>` : nothing}${text.t(label)}<span class="visually-hidden"> ${entrance.display_name}</span>
      </button>
    </li>
  `;
}

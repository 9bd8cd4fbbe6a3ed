import { html, nothing, type TemplateResult } from 'lit';
import type { CredentialsResponse } from '../credentials/types.ts';
import type { Text } from './text.ts';
import { propertyTime, zoneDiffers } from './time.ts';

/** The issuer: logo and hotel name, side by side. */
function brand(data: CredentialsResponse): unknown {
  const { logo_url: logo, hotel_name: name } = data.instant_key.customization;
  if (!logo && !name) return nothing;
  return html`<div part="brand" class="brand">
    ${logo ? html`<img part="logo" class="logo" src=${logo} alt="" />` : nothing}${name ? html`<span part="hotel-name" class="hotel">${name}</span>` : nothing}
  </div>`;
}

/**
 * Greeting and stay. Check-in and check-out when the issuer gave them, else the span of every
 * door's window; in the property's time zone, named when the phone's clock would differ.
 */
export function header(text: Text, data: CredentialsResponse): TemplateResult {
  const { credentials, upcoming, instant_key: summary } = data;
  const zone = summary.time_zone;
  const windows = [...credentials, ...upcoming];
  const from = summary.check_in_at ?? windows.map((w) => w.starts_at).sort()[0];
  const to = summary.check_out_at ?? windows.map((w) => w.ends_at).sort().at(-1);
  const shown = [from, to].filter((t): t is string => !!t);
  const labelled = zoneDiffers(zone, shown, text.dateLocale);
  const at = (iso: string): string => propertyTime(iso, text.dateLocale, zone, labelled);
  const name = summary.user_identity.display_name;
  return html`
    ${brand(data)}
    <header part="header" class="header">
      <h2 class="title">${name ? text.t('key.greeting', { name }) : text.t('key.greetingAnon')}</h2>
      <p class="muted">
        ${summary.check_in_at && summary.check_out_at
          ? html`<span class="stay">${text.t('key.checkIn', { date: at(summary.check_in_at) })}</span>
              <span class="stay">${text.t('key.checkOut', { date: at(summary.check_out_at) })}</span>`
          : from && to
            ? text.t('key.stay', { from: at(from), to: at(to) })
            : text.t('key.validUntil', { date: at(summary.expires_at) })}
      </p>
    </header>
  `;
}

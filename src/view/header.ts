import { html, nothing, type TemplateResult } from 'lit';
import type { CredentialsResponse } from '../credentials/types.ts';
import type { Text } from './text.ts';

export function logo(url: string | undefined): unknown {
  return url ? html`<img part="logo" class="logo" src=${url} alt="" />` : nothing;
}

/** Greeting and stay: the stay spans every door's window, active and upcoming. */
export function header(text: Text, data: CredentialsResponse): TemplateResult {
  const { credentials, upcoming, instant_key: summary } = data;
  const windows = [...credentials, ...upcoming];
  return html`
    <header part="header" class="header">
      <h2 class="title">${text.t('key.greeting', { name: summary.user_identity.display_name })}</h2>
      <p class="muted">
        ${windows.length
          ? text.t('key.stay', {
              from: text.date(windows.map((w) => w.starts_at).sort()[0]!),
              to: text.date(windows.map((w) => w.ends_at).sort().at(-1)!),
            })
          : text.t('key.validUntil', { date: text.date(summary.expires_at) })}
      </p>
    </header>
  `;
}

import { html, nothing } from 'lit';
import type { Customization } from '../credentials/types.ts';
import type { Text } from './text.ts';

/**
 * The front desk, for every state that sends the guest there: a `tel:` and a `mailto:` link
 * when the issuer gave them (both validated: E.164 and a plain address). The number is
 * isolated (LRI…PDI) so its `+` stays in front in right-to-left text; in the address, `?`,
 * `&`, `#` and `%` are escaped, so it cannot add headers (`?bcc=`) to the mail.
 */
export function support(text: Text, customization: Customization | undefined): unknown {
  const { support_phone: phone, support_email: email } = customization ?? {};
  if (!phone && !email) return nothing;
  return html`<p part="support" class="support">
    ${phone ? html`<a part="support-phone" class="button secondary" href="tel:${phone}">${text.t('support.call', { phone: `\u2066${phone}\u2069` })}</a>` : nothing}
    ${email ? html`<a part="support-email" class="button secondary" href="mailto:${email.replace(/[?&#%]/g, encodeURIComponent)}">${text.t('support.email')}</a>` : nothing}
  </p>`;
}

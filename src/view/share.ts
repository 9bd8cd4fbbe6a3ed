import { html, nothing } from 'lit';
import type { ShareMode } from '../controllers/share.ts';
import { shareLinks } from '../share.ts';
import { actionButton } from './message.ts';
import type { Text } from './text.ts';

export interface ShareProps {
  url: string | undefined;
  mode: ShareMode;
  onShare(url: string): void;
  onCopy(url: string): void;
}

/** "Share key", and the copy, SMS and email links when there is no system share sheet. */
export function share(text: Text, { url, mode, onShare, onCopy }: ShareProps): unknown {
  if (!url) return nothing;
  const links = shareLinks(url, text.t('share.title'));
  return html`
    <div class="share">
      <button part="share-button" class="secondary" type="button" aria-expanded=${String(!!mode)} @click=${() => onShare(url)}>
        ${text.t('action.share')}
      </button>
      ${mode
        ? html`<div part="share-links" class="actions">
            ${actionButton(text, 'copy-button', 'action.copy', () => onCopy(url), true)}
            <a class="button secondary" href=${links.sms}>${text.t('action.sms')}</a>
            <a class="button secondary" href=${links.email}>${text.t('action.email')}</a>
            ${mode === 'copied' ? html`<span class="muted" role="status">${text.t('action.copied')}</span>` : nothing}
          </div>`
        : nothing}
    </div>
  `;
}

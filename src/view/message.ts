import { html, nothing, type TemplateResult } from 'lit';
import type { LoadErrorCode } from '../credentials/errors.ts';
import type { MessageKey } from '../i18n/index.ts';
import type { KeyValue, UnlockValue } from '../state/index.ts';
import type { Text } from './text.ts';

/** The quiet notices: a closed chooser, Bluetooth off, a refresh that found no network. */
export type NoticeCode = NonNullable<Extract<UnlockValue, { phase: 'idle' }>['notice'] | Extract<KeyValue, { status: 'loaded' }>['stale']>;

/** An error or link state: what happened, what it means, and what the guest can do. */
export function message(code: string, title: string, body: string, ...actions: unknown[]): TemplateResult {
  const shown = actions.filter(Boolean);
  return html`
    <section part="message" class="message" data-code=${code}>
      <h2 class="title">${title}</h2>
      <p>${body}</p>
      ${shown.length ? html`<div class="actions">${shown}</div>` : nothing}
    </section>
  `;
}

export function notice(text: Text, code: NoticeCode | undefined): unknown {
  return code ? html`<p part="notice" class="notice" data-code=${code}>${text.t(`notice.${code}`)}</p>` : nothing;
}

export function actionButton(text: Text, part: string, label: MessageKey, onClick: (event: Event) => void, secondary = false): TemplateResult {
  return html`<button part=${part} class=${secondary ? 'secondary' : ''} type="button" @click=${onClick}>${text.t(label)}</button>`;
}

/** The link could not be loaded, or says it is over. */
export function loadFailure(text: Text, code: LoadErrorCode, onRetry: () => void): TemplateResult {
  if (code === 'link_expired') return message(code, text.t('expired.title'), text.t('expired.body'));
  if (code === 'link_revoked') return message(code, text.t('revoked.title'), text.t('revoked.body'));
  const network = code.startsWith('network');
  return message(
    code,
    text.t(network ? 'error.loadTitle' : 'error.linkTitle'),
    text.t(`error.${code}`),
    network && actionButton(text, 'retry-button', 'action.retry', onRetry),
  );
}

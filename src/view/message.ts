import { html, nothing, type TemplateResult } from 'lit';
import type { LoadErrorCode } from '../credentials/errors.ts';
import type { Customization } from '../credentials/types.ts';
import type { MessageKey } from '../i18n/index.ts';
import { support } from './support.ts';
import type { Forgotten } from '../state/index.ts';
import type { Text } from './text.ts';

/**
 * An error or link state: what happened, what it means, what the guest can do, and (`after`)
 * whom to ask. Focusable, so the element can move the guest's focus to it.
 */
export function message(code: string, title: string, body: string, actions: unknown[] = [], after: unknown = nothing): TemplateResult {
  const shown = actions.filter(Boolean);
  return html`
    <section part="message" class="message" data-code=${code} tabindex="-1">
      <h2 class="title">${title}</h2>
      <p>${body}</p>
      ${after}
      ${shown.length ? html`<div class="actions">${shown}</div>` : nothing}
    </section>
  `;
}

export function actionButton(text: Text, part: string, label: MessageKey, onClick: (event: Event) => void, secondary = false): TemplateResult {
  return html`<button part=${part} class=${secondary ? 'secondary' : ''} type="button" @click=${onClick}>${text.t(label)}</button>`;
}

/** Link states that only the front desk can change. */
const ASK_THE_DESK = new Set<LoadErrorCode>(['link_expired', 'link_revoked', 'link_max_use', 'link_invalid']);

/**
 * The link could not be loaded, says it is over, or is no longer kept on this device.
 * `customization` is the issuer's, from the last answer this element saw, for its support contact.
 */
export function loadFailure(text: Text, code: LoadErrorCode, customization: Customization | undefined, onRetry: () => void, forgotten?: Forgotten): TemplateResult {
  if (forgotten) return message(forgotten, text.t(forgotten === 'removed' ? 'removed.title' : 'error.linkTitle'), text.t('removed.body'));
  const desk = ASK_THE_DESK.has(code) ? support(text, customization) : nothing;
  if (code === 'link_expired') return message(code, text.t('expired.title'), text.t('expired.body'), [], desk);
  if (code === 'link_revoked') return message(code, text.t('revoked.title'), text.t('revoked.body'), [], desk);
  const retry = code.startsWith('network') || code === 'load_failed';
  return message(
    code,
    text.t(retry ? 'error.loadTitle' : 'error.linkTitle'),
    text.t(`error.${code}`),
    [retry && actionButton(text, 'retry-button', 'action.retry', onRetry)],
    desk,
  );
}

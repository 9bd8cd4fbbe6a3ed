import { dateLocaleFor, formatDateTime, msg, resolveLocale, type MessageKey, type MessageParams } from '../i18n/index.ts';

/** The element's words for one render: messages and dates in the guest's language. */
export interface Text {
  /** The catalog in use (`en`, `de`, …). */
  locale: string;
  t(key: MessageKey, params?: MessageParams): string;
  date(iso: string): string;
}

/** `lang` is the element's effective language tag (its own, the page's, the browser's). */
export function textFor(lang: string): Text {
  const locale = resolveLocale(lang);
  const dateLocale = dateLocaleFor(lang, locale);
  return {
    locale,
    t: (key, params) => msg(key, params, locale),
    date: (iso) => formatDateTime(iso, dateLocale),
  };
}

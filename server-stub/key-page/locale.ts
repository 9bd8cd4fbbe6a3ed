/**
 * The key page's language: the guest's preferred language (`Accept-Language`, which browsers
 * send from the phone's settings) among those the element is translated into, so that the
 * page's `lang`, `dir` and title agree with the element's text.
 */

/** The page's own words, per language the element ships (src/i18n/locales, plus English). */
export const PAGE_TEXT = {
  en: { title: 'Your key', noscript: "This key needs JavaScript. Turn it on in your browser's settings, then reload this page." },
  ar: { title: 'مفتاحك', noscript: 'يحتاج هذا المفتاح إلى JavaScript. فعّله في إعدادات المتصفح، ثم أعد تحميل هذه الصفحة.' },
  de: { title: 'Ihr Schlüssel', noscript: 'Dieser Schlüssel braucht JavaScript. Schalten Sie es in den Browser-Einstellungen ein und laden Sie die Seite neu.' },
  es: { title: 'Tu llave', noscript: 'Esta llave necesita JavaScript. Actívalo en los ajustes del navegador y vuelve a cargar la página.' },
  fr: { title: 'Votre clé', noscript: 'Cette clé a besoin de JavaScript. Activez-le dans les réglages du navigateur, puis rechargez la page.' },
  ja: { title: 'お客様のキー', noscript: 'このキーには JavaScript が必要です。ブラウザの設定で有効にしてから、このページを再読み込みしてください。' },
} as const satisfies Record<string, { title: string; noscript: string }>;

export type PageLanguage = keyof typeof PAGE_TEXT;

export interface PageLocale {
  /** For `<html lang>`: the guest's own tag (`de-CH`, so dates follow it), or the language's. */
  tag: string;
  language: PageLanguage;
  dir: 'ltr' | 'rtl';
}

const TAG_RE = /^[a-z]{2,3}(-[a-z0-9]{1,8})*$/i;
const RTL = new Set(['ar', 'he', 'fa', 'ur']);

/**
 * The first language in `Accept-Language` (by `q`, then order) that the page speaks; English
 * when none does. Malformed entries are skipped, never echoed into the page.
 */
export function negotiatePageLocale(acceptLanguage: string | undefined): PageLocale {
  const wanted = (acceptLanguage ?? '')
    .split(',')
    .slice(0, 32)
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag: tag.trim(), q: q ? Number(q.slice(2)) : 1, index };
    })
    .filter((w) => TAG_RE.test(w.tag) && w.tag.length <= 35 && Number.isFinite(w.q) && w.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of wanted) {
    const language = tag.split('-')[0]!.toLowerCase();
    if (Object.hasOwn(PAGE_TEXT, language)) {
      return { tag, language: language as PageLanguage, dir: RTL.has(language) ? 'rtl' : 'ltr' };
    }
  }
  return { tag: 'en', language: 'en', dir: 'ltr' };
}

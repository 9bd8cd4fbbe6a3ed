import { en, type MessageKey } from './en.ts';

export type { MessageKey };
/** A locale's catalog: any key it lacks falls back to English. */
export type Catalog = Partial<Record<MessageKey, string>>;

/** English: the entry's messages, joined by the unlock failures' once the key's view loads (en-unlock.ts). */
const english: Catalog = { ...en };
const catalogs = new Map<string, Catalog>([['en', english]]);
export const DEFAULT_LOCALE = 'en';

/** Adds or replaces a locale's catalog (`lang` as a BCP 47 tag, e.g. `fr` or `pt-BR`). */
export function registerLocale(lang: string, catalog: Catalog): void {
  catalogs.set(lang.toLowerCase(), catalog);
}

/** Adds English messages that ride in a lazy chunk (en-unlock.ts). */
export function addEnglish(messages: Catalog): void {
  Object.assign(english, messages);
}

/**
 * The best registered locale for a language tag: exact (`pt-br`), then its language (`pt`),
 * then English.
 */
export function resolveLocale(lang: string | null | undefined): string {
  const tag = (lang ?? '').trim().toLowerCase();
  if (tag && catalogs.has(tag)) return tag;
  const base = tag.split('-')[0];
  if (base && catalogs.has(base)) return base;
  return DEFAULT_LOCALE;
}

/** Bundled translations, each its own chunk: only English ships in the main file. */
const bundled: Record<string, () => Promise<{ default: Catalog }>> = {
  ar: () => import('./locales/ar.ts'),
  de: () => import('./locales/de.ts'),
  es: () => import('./locales/es.ts'),
  fr: () => import('./locales/fr.ts'),
  ja: () => import('./locales/ja.ts'),
};

/**
 * Loads the bundled catalog for `lang`'s language, unless one is registered already.
 * Resolves to whether a new catalog arrived; a failed load leaves English in place.
 */
export async function loadLocale(lang: string | null | undefined): Promise<boolean> {
  const base = (lang ?? '').trim().toLowerCase().split('-')[0]!;
  const load = bundled[base];
  if (!load || resolveLocale(lang) !== DEFAULT_LOCALE) return false;
  try {
    registerLocale(base, (await load()).default);
    return true;
  } catch {
    return false;
  }
}

/** Text direction of a locale: right-to-left for Arabic, Hebrew, Persian and Urdu. */
export function dirOf(locale: string): 'ltr' | 'rtl' {
  return /^(ar|he|fa|ur)\b/.test(locale) ? 'rtl' : 'ltr';
}

export type MessageParams = Record<string, string | number>;

/** The localized text for `key`, with `{name}` placeholders filled from `params`. */
export function msg(key: MessageKey, params: MessageParams = {}, locale: string = DEFAULT_LOCALE): string {
  // The key itself only if code shows a message before its chunk arrived: a bug to see.
  const template = catalogs.get(locale)?.[key] ?? english[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

/**
 * True when `key` names a message, for keys built at run time (`error.${code}`); the unlock
 * failures' only once the key's view has loaded.
 */
export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(english, key);
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** A date-time for guests: medium date, short time, in the guest's time zone. */
export function formatDateTime(iso: string, locale: string = DEFAULT_LOCALE): string {
  let format = dateFormats.get(locale);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
    } catch {
      // A malformed `lang` attribute must not break rendering.
      format = new Intl.DateTimeFormat(DEFAULT_LOCALE, { dateStyle: 'medium', timeStyle: 'short' });
    }
    dateFormats.set(locale, format);
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : format.format(date);
}

/**
 * The tag to format dates with: the guest's own tag when its language is the catalog's
 * (`en-GB` dates for an English catalog), else the catalog's, so text and dates agree.
 */
export function dateLocaleFor(tag: string | null | undefined, catalogLocale: string): string {
  const wanted = (tag ?? '').trim();
  const base = catalogLocale.split('-')[0]!.toLowerCase();
  return wanted && wanted.toLowerCase().split('-')[0] === base ? wanted : catalogLocale;
}

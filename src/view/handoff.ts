import { html } from 'lit';
import { detectSupport } from '../ble/capabilities.ts';
import { chromeIntentUrl, handoffPlatform, iosAppLink } from '../handoff.ts';
import { actionButton } from './message.ts';
import type { Text } from './text.ts';

/*
 * The `unsupported` state's way onward, on phones (see ../handoff.ts): "Open in Chrome" on
 * Android, "Open in <app>" on iOS when the issuer has one, else what to do instead; and the
 * watch for Bluetooth that appears late. A chunk of its own, loaded only where doors cannot
 * be opened; so are its words, in every bundled language, which the main catalog does not carry.
 */

type Words = Record<'android' | 'androidHelp' | 'openChrome' | 'iosApp' | 'openApp' | 'theApp' | 'iosNone', string>;

const WORDS: Record<string, Words> = {
  en: {
    android: 'This browser cannot use Bluetooth. Open your key in Chrome to unlock your doors.',
    androidHelp: 'If Chrome does not open, copy the link, open Chrome and paste it into the address bar.',
    openChrome: 'Open in Chrome',
    iosApp: 'iPhone browsers cannot use Bluetooth. Open your key in {app} to unlock your doors.',
    openApp: 'Open in {app}',
    theApp: 'the app',
    iosNone: 'iPhone browsers cannot use Bluetooth, so doors cannot be opened here. Send this link to an Android phone with Chrome, or ask the front desk.',
  },
  es: {
    android: 'Este navegador no puede usar Bluetooth. Abra su llave en Chrome para abrir sus puertas.',
    androidHelp: 'Si Chrome no se abre, copie el enlace, abra Chrome y péguelo en la barra de direcciones.',
    openChrome: 'Abrir en Chrome',
    iosApp: 'Los navegadores del iPhone no pueden usar Bluetooth. Abra su llave en {app} para abrir sus puertas.',
    openApp: 'Abrir en {app}',
    theApp: 'la app',
    iosNone: 'Los navegadores del iPhone no pueden usar Bluetooth, así que aquí no se pueden abrir puertas. Envíe este enlace a un teléfono Android con Chrome o pregunte en recepción.',
  },
  fr: {
    android: 'Ce navigateur ne peut pas utiliser le Bluetooth. Ouvrez votre clé dans Chrome pour ouvrir vos portes.',
    androidHelp: 'Si Chrome ne s’ouvre pas, copiez le lien, ouvrez Chrome et collez-le dans la barre d’adresse.',
    openChrome: 'Ouvrir dans Chrome',
    iosApp: 'Les navigateurs de l’iPhone ne peuvent pas utiliser le Bluetooth. Ouvrez votre clé dans {app} pour ouvrir vos portes.',
    openApp: 'Ouvrir dans {app}',
    theApp: 'l’app',
    iosNone: 'Les navigateurs de l’iPhone ne peuvent pas utiliser le Bluetooth : les portes ne s’ouvrent pas ici. Envoyez ce lien à un téléphone Android avec Chrome, ou adressez-vous à la réception.',
  },
  de: {
    android: 'Dieser Browser kann Bluetooth nicht nutzen. Öffnen Sie Ihren Schlüssel in Chrome, um Ihre Türen zu öffnen.',
    androidHelp: 'Wenn sich Chrome nicht öffnet: Link kopieren, Chrome öffnen und in die Adressleiste einfügen.',
    openChrome: 'In Chrome öffnen',
    iosApp: 'Browser auf dem iPhone können Bluetooth nicht nutzen. Öffnen Sie Ihren Schlüssel in {app}, um Ihre Türen zu öffnen.',
    openApp: 'In {app} öffnen',
    theApp: 'der App',
    iosNone: 'Browser auf dem iPhone können Bluetooth nicht nutzen, hier lassen sich keine Türen öffnen. Senden Sie diesen Link an ein Android-Telefon mit Chrome oder fragen Sie an der Rezeption.',
  },
  ja: {
    android: 'このブラウザは Bluetooth を使えません。Chrome でキーを開いてドアを解錠してください。',
    androidHelp: 'Chrome が開かない場合は、リンクをコピーして Chrome を開き、アドレスバーに貼り付けてください。',
    openChrome: 'Chrome で開く',
    iosApp: 'iPhone のブラウザは Bluetooth を使えません。{app} でキーを開いてドアを解錠してください。',
    openApp: '{app} で開く',
    theApp: 'アプリ',
    iosNone: 'iPhone のブラウザは Bluetooth を使えないため、ここではドアを開けられません。このリンクを Chrome のある Android 端末に送るか、フロントにお尋ねください。',
  },
  ar: {
    android: 'لا يستطيع هذا المتصفح استخدام البلوتوث. افتح مفتاحك في Chrome لفتح أبوابك.',
    androidHelp: 'إذا لم يُفتح Chrome، انسخ الرابط ثم افتح Chrome والصقه في شريط العنوان.',
    openChrome: 'فتح في Chrome',
    iosApp: 'لا تستطيع متصفحات iPhone استخدام البلوتوث. افتح مفتاحك في {app} لفتح أبوابك.',
    openApp: 'فتح في {app}',
    theApp: 'التطبيق',
    iosNone: 'لا تستطيع متصفحات iPhone استخدام البلوتوث، لذا لا يمكن فتح الأبواب هنا. أرسل هذا الرابط إلى هاتف Android فيه Chrome، أو اسأل مكتب الاستقبال.',
  },
};

/**
 * The explanation and actions for this phone, or `undefined` on a computer (as before). `url`
 * is the Instant Key URL every action carries on; the issuer's iOS app or App Clip link
 * (https) and its name come from the element's `ios-app-url` and `ios-app-name` attributes;
 * `onCopy` copies, and the share area below confirms it.
 */
export function handoff(
  text: Text,
  el: Element,
  url: string | undefined,
  onCopy: (url: string) => void,
  env: { userAgent: string; maxTouchPoints: number } = navigator,
): { body: string; actions: unknown[] } | undefined {
  const platform = handoffPlatform(env.userAgent, env.maxTouchPoints);
  if (platform === 'desktop') return undefined;
  const words = WORDS[text.locale] ?? WORDS.en!;
  if (platform === 'android') {
    const intent = url && chromeIntentUrl(url);
    return {
      body: `${words.android} ${words.androidHelp}`,
      actions: [
        intent && html`<a part="handoff-button" class="button" href=${intent}>${words.openChrome}</a>`,
        url && actionButton(text, 'copy-button', 'action.copy', () => onCopy(url), true),
      ],
    };
  }
  const app = url && iosAppLink(el.getAttribute('ios-app-url'), url);
  if (!app) return { body: words.iosNone, actions: [] };
  const name = el.getAttribute('ios-app-name')?.trim().slice(0, 40) || words.theApp;
  return {
    body: words.iosApp.replace('{app}', name),
    actions: [html`<a part="handoff-button" class="button" href=${app}>${words.openApp.replace('{app}', name)}</a>`],
  };
}

/**
 * Calls `onFound` once Bluetooth appears after all: a polyfill or a native bridge injected
 * after the element looked (some inject on load). Checks now, when the page finishes loading,
 * and each time it is shown. Returns the stop function.
 */
export function watchLateBluetooth(onFound: () => void): () => void {
  const check = (): void => {
    if (document.visibilityState === 'hidden' || !detectSupport().supported) return;
    stop();
    onFound();
  };
  const stop = (): void => {
    removeEventListener('load', check);
    document.removeEventListener('visibilitychange', check);
  };
  addEventListener('load', check);
  document.addEventListener('visibilitychange', check);
  queueMicrotask(check);
  return stop;
}

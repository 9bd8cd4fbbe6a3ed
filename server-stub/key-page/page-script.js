/*
 * The key page's own script, inline right after <instant-key> (allowed by its CSP hash). The
 * server prepends `const PAGE = { credentialsPath, tokenPattern }`, taken from the element's
 * source so both ask the same way, and `const DEVICE_PROOF`: the element's own device-key and
 * DPoP proof code (src/credentials/device-proof.ts, built on its own by vite.config.ts), or
 * null when that build is missing.
 *
 * 1. It starts the credential request while the element's module is still downloading: the
 *    element gets a `resolver` (its documented hook) that hands the element's own HTTP
 *    resolver this early answer for the first call, so parsing, validation, errors and the
 *    DPoP nonce challenge (a 401 with `DPoP-Nonce` is signed again and sent) are the
 *    element's. It asks only where the element itself would (a secure context with Web
 *    Bluetooth that the page's policy allows), so no device of the key is spent on a browser
 *    that cannot open doors. Both requests are signed by the one `DEVICE_PROOF`, so they prove
 *    the same device key, even where storage is blocked and the key lives in memory.
 * 2. Once the doors show, it registers the service worker that keeps the page for offline use.
 */
/* global PAGE, DEVICE_PROOF */
(() => {
  const key = document.querySelector('instant-key');
  const entry = document.querySelector('script[type="module"][src*="instant-key.js"]');
  if (!key || !entry) return;

  const match = new RegExp(PAGE.tokenPattern).exec(location.hash);
  const policy = document.permissionsPolicy || document.featurePolicy;
  let allowed = true;
  try {
    allowed = !policy || policy.allowsFeature('bluetooth');
  } catch {}
  if (match && isSecureContext && navigator.bluetooth && allowed && DEVICE_PROOF) {
    const token = match[1];
    // As the element resolves it (resolveEndpoint, credentialsUrl): the URL the proof names.
    const endpoint = new URL(key.getAttribute('endpoint') || location.origin, location.href).href;
    const url = endpoint.replace(/\/+$/, '') + PAGE.credentialsPath;
    let early = DEVICE_PROOF({ htm: 'GET', htu: url, token }).then((proof) =>
      fetch(url, {
        headers: { Authorization: `Bearer ${token}`, DPoP: proof, Accept: 'application/json' },
        cache: 'no-store',
        credentials: 'omit',
        redirect: 'error',
      }),
    );
    early.catch(() => {});
    let http;
    key.resolver = async (asked, options) => {
      if (!http) {
        const { createHttpResolver } = await import(entry.src);
        http ??= createHttpResolver({
          endpoint,
          proof: DEVICE_PROOF,
          fetch: (url, init) => {
            const answer = early;
            early = null;
            if (!answer) return fetch(url, init);
            // The element's timeout and abort still apply to the early request; if it could
            // not be made or sent, the element's own request goes instead.
            return new Promise((resolve, reject) => {
              init.signal?.addEventListener('abort', () => reject(init.signal.reason), { once: true });
              answer.then(resolve, () => fetch(url, init).then(resolve, reject));
            });
          },
        });
      }
      // The early answer is for the link's token only, and for the first request only.
      if (asked !== token) early = null;
      return http(asked, options);
    };
  }

  if ('serviceWorker' in navigator) {
    key.addEventListener(
      'ik-credentials',
      () => {
        const register = () =>
          navigator.serviceWorker
            .register(new URL('k-sw.js', location.href), { scope: location.pathname })
            .catch((error) => console.warn('[instant-key] the key page could not be kept for offline use:', error.message));
        // After the doors have painted, when the phone is idle: the first visit is no slower.
        'requestIdleCallback' in window ? requestIdleCallback(register, { timeout: 5000 }) : setTimeout(register, 1000);
      },
      { once: true },
    );
  }
})();

/*
 * The key page's own script, inline right after <instant-key> (allowed by its CSP hash). The
 * server prepends `const PAGE = { credentialsPath, deviceIdKey, tokenPattern }`, taken from
 * the element's source so both ask the same way.
 *
 * 1. It starts the credential request while the element's module is still downloading: the
 *    element gets a `resolver` (its documented hook) that hands the element's own HTTP
 *    resolver this early answer for the first call, so parsing, validation and errors are the
 *    element's. It asks only where the element itself would (a secure context with Web
 *    Bluetooth that the page's policy allows), so no device of the key is spent on a browser
 *    that cannot open doors, and it uses the element's device id.
 * 2. Once the doors show, it registers the service worker that keeps the page for offline use.
 */
/* global PAGE */
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
  if (match && isSecureContext && navigator.bluetooth && allowed) {
    const token = match[1];
    const endpoint = key.getAttribute('endpoint') || location.origin;
    let device = null;
    try {
      device = localStorage.getItem(PAGE.deviceIdKey);
      if (!/^[A-Za-z0-9._:~-]{1,128}$/.test(device || '')) localStorage.setItem(PAGE.deviceIdKey, (device = crypto.randomUUID()));
    } catch {}
    if (device) {
      let early = fetch(endpoint.replace(/\/+$/, '') + PAGE.credentialsPath, {
        headers: { Authorization: `Bearer ${token}`, 'Instant-Key-Device': device, Accept: 'application/json' },
        cache: 'no-store',
        credentials: 'omit',
        redirect: 'error',
      });
      early.catch(() => {});
      let http;
      key.resolver = async (asked, options) => {
        if (!http) {
          const { createHttpResolver } = await import(entry.src);
          http ??= createHttpResolver({
            endpoint: new URL(endpoint, location.href).href,
            fetch: (url, init) => {
              const answer = early;
              early = null;
              if (!answer) return fetch(url, init);
              // The element's timeout and abort still apply to the early request.
              return new Promise((resolve, reject) => {
                init.signal?.addEventListener('abort', () => reject(init.signal.reason), { once: true });
                // This early request carries no DPoP proof (the device key is the element's):
                // whatever it is refused for, the element's own signed request goes instead.
                answer.then((response) => (response.ok || response.status === 304 ? response : fetch(url, init))).then(resolve, reject);
              });
            },
          });
        }
        // The early answer is for the link's token only, and for the first request only.
        if (asked !== token) early = null;
        return http(asked, options);
      };
    }
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

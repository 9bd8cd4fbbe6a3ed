// The vanilla baseline of `npm run bench:page`: the least a page can do to show a guest's
// doors. The same credential request as the element (headers, a DPoP proof of the device key,
// no-store, no cookies), the same list (greeting, stay, one row per door with its "until" date
// and an Unlock button), the same date formatting (Intl, medium date and short time), no
// framework. It marks the frame in which the doors are on screen, as the benchmark does for the
// element. bench/page.ts serves it after the element's own device-proof build
// (dist/instant-key.device-proof.js, which defines DEVICE_PROOF): the server asks every page
// for a proof, and signing costs the baseline what it costs the element.
/* global DEVICE_PROOF */
const root = document.getElementById('key');
const endpoint = root.dataset.endpoint || location.origin;
const token = location.hash.slice(1);
const format = new Intl.DateTimeFormat(navigator.language, { dateStyle: 'medium', timeStyle: 'short' });

const url = `${new URL(endpoint, location.href).href.replace(/\/+$/, '')}/instant_keys/credentials`;
const response = await fetch(url, {
  headers: { Authorization: `Bearer ${token}`, DPoP: await DEVICE_PROOF({ htm: 'GET', htu: url, token }), Accept: 'application/json' },
  cache: 'no-store',
  credentials: 'omit',
  redirect: 'error',
});
const body = await response.json();
const el = (tag, text) => Object.assign(document.createElement(tag), text === undefined ? {} : { textContent: text });
const header = el('header');
header.append(el('h2', `Welcome, ${body.instant_key.user_identity.display_name}`), el('p', `Key valid until ${format.format(new Date(body.instant_key.expires_at))}`));
const list = el('ul');
for (const credential of body.credentials) {
  const row = el('li');
  const button = el('button', 'Unlock');
  button.setAttribute('aria-label', `Unlock ${credential.entrance.display_name}`);
  row.append(el('strong', credential.entrance.display_name), el('span', `Until ${format.format(new Date(credential.ends_at))}`), button);
  list.append(row);
}
root.replaceChildren(header, list);
requestAnimationFrame(() => (window.__doorsAt = performance.now()));

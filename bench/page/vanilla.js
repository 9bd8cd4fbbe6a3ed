// The vanilla baseline of `npm run bench:page`: the least a page can do to show a guest's
// doors. The same credential request as the element (headers, no-store, no cookies), the
// same list (greeting, stay, one row per door with its "until" date and an Unlock button),
// the same date formatting (Intl, medium date and short time), no framework. It marks the
// frame in which the doors are on screen, as the benchmark does for the element.
const root = document.getElementById('key');
const endpoint = root.dataset.endpoint || location.origin;
const token = location.hash.slice(1);
const format = new Intl.DateTimeFormat(navigator.language, { dateStyle: 'medium', timeStyle: 'short' });

function deviceId() {
  let id = localStorage.getItem('instant-key:device-id');
  if (!id) localStorage.setItem('instant-key:device-id', (id = crypto.randomUUID()));
  return id;
}

const response = await fetch(`${endpoint.replace(/\/+$/, '')}/instant_keys/credentials`, {
  headers: { Authorization: `Bearer ${token}`, 'Instant-Key-Device': deviceId(), Accept: 'application/json' },
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

// Host-page side of the demo: listens to the element's events like an integrator would.
// A separate file so the page works under a CSP without 'unsafe-inline'.
const log = document.getElementById('event-log');

// `?preview` (optionally `=<code>`) swaps the server and Bluetooth for the in-page preview.
const preview = new URLSearchParams(location.search).get('preview');
if (preview !== null) document.querySelector('instant-key')?.setAttribute('preview', preview);

for (const type of ['ik-credentials', 'ik-unlock', 'ik-error', 'ik-unsupported']) {
  document.addEventListener(type, (event) => {
    const item = document.createElement('li');
    const name = document.createElement('code');
    name.textContent = type;
    item.append(name, ' ', summarize(type, event.detail));
    log?.prepend(item);
  });
}

function summarize(type, detail) {
  switch (type) {
    case 'ik-credentials':
      return `${detail.length} door(s): ${detail.map((c) => c.entrance.display_name).join(', ')}`;
    case 'ik-unlock':
      return `${detail.entrance.display_name} unlocked`;
    case 'ik-error':
      return `${detail.code}: ${detail.message}`;
    case 'ik-unsupported':
      return detail.reason;
    default:
      return '';
  }
}

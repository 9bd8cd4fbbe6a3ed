// React 19 renders custom elements natively: attributes and properties pass through, and
// `onik-unlock` listens to the element's `ik-unlock` event. instant-key/jsx-react types them.
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import 'instant-key/define';
import type {} from 'instant-key/jsx-react';

function Stay() {
  const [opened, setOpened] = useState('');
  return (
    <main>
      <h1>Your stay</h1>
      <instant-key endpoint="http://127.0.0.1:8787" onik-unlock={(event) => setOpened(event.detail.entrance.display_name)} />
      {opened && <p role="status">{opened} is open.</p>}
    </main>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Stay />
  </StrictMode>,
);

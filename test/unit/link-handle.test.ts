// The saved key's handle in the address bar: `#k=…` replaces `#ik_…`, is read back on a
// reload, and is never written over a fragment that belongs to the host page.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fragmentHandle, hideHandle, showHandle } from '../../src/vault/address-bar.ts';

const HANDLE = 'AbCdEfGhIjKlMnOpQrSt_-';

function page(hash: string) {
  const replaced: string[] = [];
  const loc = { hash, pathname: '/k', search: '?lang=fr' };
  const hist = { state: { keep: true }, replaceState: (_d: unknown, _u: string, url?: string | URL | null) => void replaced.push(String(url)) };
  return { loc, hist, replaced };
}

describe('the handle in the fragment', () => {
  test('a reload reads the handle back from #k=…', () => {
    assert.equal(fragmentHandle({ hash: `#k=${HANDLE}` }), HANDLE);
  });

  test('anything else is not a handle: a token, a short or long value, another fragment', () => {
    for (const hash of ['', '#', `#ik_${'a'.repeat(30)}`, `#k=${HANDLE}x`, `#k=${HANDLE.slice(1)}`, '#k=', `#x=${HANDLE}`, `#k=${HANDLE.slice(1)}!`]) {
      assert.equal(fragmentHandle({ hash }), undefined, hash);
    }
  });

  test('the token in the address bar is replaced by the handle, keeping path and query', () => {
    const { loc, hist, replaced } = page(`#ik_${'a'.repeat(30)}`);
    showHandle(HANDLE, loc, hist);
    assert.deepEqual(replaced, [`/k?lang=fr#k=${HANDLE}`]);
  });

  test('a fragment of the host page is left alone', () => {
    const { loc, hist, replaced } = page('#booking');
    showHandle(HANDLE, loc, hist);
    assert.deepEqual(replaced, []);
  });

  test('removing the key clears its handle only', () => {
    const own = page(`#k=${HANDLE}`);
    hideHandle(HANDLE, own.loc, own.hist);
    assert.deepEqual(own.replaced, ['/k?lang=fr']);
    const other = page('#k=ZZZZZZZZZZZZZZZZZZZZZZ');
    hideHandle(HANDLE, other.loc, other.hist);
    assert.deepEqual(other.replaced, []);
  });

  test('a document that refuses replaceState still works', () => {
    const loc = { hash: '', pathname: '/', search: '' };
    assert.doesNotThrow(() =>
      showHandle(HANDLE, loc, {
        state: null,
        replaceState: () => {
          throw new DOMException('sandboxed', 'SecurityError');
        },
      }),
    );
  });
});

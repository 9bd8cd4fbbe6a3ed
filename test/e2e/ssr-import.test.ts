// Server-side rendering frameworks import the element's modules under Node. The script-tag
// file is a browser bundle (it extends HTMLElement), so under Node the package's
// `instant-key/instant-key.js` export resolves to the npm build, whose Lit shims the DOM.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

function importUnderNode(specifier: string) {
  const script = `const m = await import(${JSON.stringify(specifier)}); console.log(JSON.stringify({ exports: Object.keys(m).sort(), defined: typeof customElements?.get("instant-key") }));`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
}

for (const specifier of ['instant-key/instant-key.js', 'instant-key/define', 'instant-key']) {
  test(`${specifier} imports under Node without crashing`, () => {
    const run = importUnderNode(specifier);
    assert.equal(run.status, 0, run.stderr);
    const { exports } = JSON.parse(run.stdout);
    assert.ok(exports.includes('InstantKeyElement'), exports.join(', '));
  });
}

test('instant-key/instant-key.js registers the element under Node as in a browser', () => {
  const run = importUnderNode('instant-key/instant-key.js');
  assert.equal(JSON.parse(run.stdout).defined, 'function');
});

// What custom-elements.json tells page authors and their tools about <instant-key>, beyond
// what the analyzer finds by itself (custom-elements-manifest.config.mjs).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const manifest = JSON.parse(readFileSync('custom-elements.json', 'utf8'));
const element = manifest.modules.flatMap((m: any) => m.declarations ?? []).find((d: any) => d.customElement);

test("every event's detail type links to the module that declares it", () => {
  assert.ok(element.events.length >= 4);
  for (const event of element.events) {
    const refs = event.type.references ?? [];
    assert.ok(refs.length > 0, `${event.name} has no type reference`);
    for (const ref of refs) {
      assert.equal(event.type.text.slice(ref.start, ref.end), ref.name);
      const source = readFileSync(ref.module.replace(/^dist\/npm\//, 'src/').replace(/\.js$/, '.ts'), 'utf8');
      assert.match(source, new RegExp(`export (interface|type) ${ref.name}\\b`), `${ref.name} is declared in ${ref.module}`);
    }
  }
});

test('unlocked-hold shows its default as a number, like its property', () => {
  const attr = element.attributes.find((a: any) => a.name === 'unlocked-hold');
  assert.equal(attr.default, '3000');
  assert.equal(element.members.find((m: any) => m.name === 'unlockedHold').default, '3000');
});

test('state is read-only', () => {
  assert.equal(element.members.find((m: any) => m.name === 'state').readonly, true);
  assert.equal(element.members.filter((m: any) => m.readonly).length, 1, 'only state');
});

// custom-elements.json and web-types.json are generated from the element's JSDoc and committed.
// These tests regenerate them and fail when the committed files drift from the source, or
// when the element's public surface is missing from them.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildManifest } from '../../scripts/build-manifest.mjs';

const root = new URL('../..', import.meta.url).pathname;
let fresh: string;

const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');

interface Described {
  name: string;
  description?: string;
}
interface ElementDeclaration {
  tagName?: string;
  attributes?: Described[];
  members?: (Described & { kind: string })[];
  events?: Described[];
  cssParts?: Described[];
  cssProperties?: Described[];
  slots?: Described[];
}

function element(): ElementDeclaration {
  const manifest = JSON.parse(read(root, 'custom-elements.json'));
  const found = manifest.modules.flatMap((m: { declarations?: ElementDeclaration[] }) => m.declarations ?? []).filter((d: ElementDeclaration) => d.tagName);
  assert.equal(found.length, 1, 'one custom element in the manifest');
  return found[0];
}

before(() => {
  fresh = mkdtempSync(join(tmpdir(), 'ik-cem-'));
  buildManifest(fresh);
});

after(() => rmSync(fresh, { recursive: true, force: true }));

test('the committed custom-elements.json matches what the analyzer makes from the source (npm run manifest)', () => {
  assert.equal(read(root, 'custom-elements.json'), read(fresh, 'custom-elements.json'));
});

test('the committed web-types.json matches the manifest (npm run manifest)', () => {
  assert.equal(read(root, 'web-types.json'), read(fresh, 'web-types.json'));
});

test('the manifest registers <instant-key> in the define module and describes every attribute, property, event, part and CSS property', () => {
  const el = element();
  assert.equal(el.tagName, 'instant-key');
  for (const group of ['attributes', 'events', 'cssParts', 'cssProperties'] as const) {
    assert.ok((el[group] ?? []).length > 0, `${group} are documented`);
  }
  const fields = (el.members ?? []).filter((m) => m.kind === 'field');
  for (const item of [...(el.attributes ?? []), ...fields, ...(el.events ?? []), ...(el.cssParts ?? []), ...(el.cssProperties ?? []), ...(el.slots ?? [])]) {
    assert.ok(item.description?.trim(), `${item.name} has a description`);
  }
  for (const name of ['token', 'endpoint', 'lang']) assert.ok(el.attributes?.some((a) => a.name === name), `attribute ${name}`);
  assert.ok(fields.some((f) => f.name === 'resolver'), 'the resolver property');
});

test('the manifest lists exactly the events the element types in InstantKeyEventMap', () => {
  const typed = [...read(root, 'src/events.ts').matchAll(/^\s*'(ik-[a-z-]+)': CustomEvent</gm)].map((m) => m[1]).sort();
  assert.ok(typed.length > 0);
  assert.deepEqual((element().events ?? []).map((e) => e.name).sort(), typed);
});

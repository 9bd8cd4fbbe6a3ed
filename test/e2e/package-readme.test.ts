// The README's embedding snippets and API table are copies: of the examples the other tests run,
// and of the manifest. These tests fail when a copy drifts from its source.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderApiSection } from '../../scripts/build-manifest.mjs';

const root = new URL('../..', import.meta.url).pathname;
const readme = readFileSync(join(root, 'README.md'), 'utf8');

function section(name: string): string {
  const match = readme.match(new RegExp(`<!-- ${name}:start -->[\\s\\S]*?<!-- ${name}:end -->`));
  assert.ok(match, `README.md has the ${name} section`);
  return match[0];
}

test("the README's API section is the manifest's (npm run manifest rewrites it)", () => {
  const manifest = JSON.parse(readFileSync(join(root, 'custom-elements.json'), 'utf8'));
  assert.equal(section('element-api'), renderApiSection(manifest));
});

test('every embedding snippet that names an example file is made of lines from that file', () => {
  const blocks = [...section('embedding').matchAll(/```\w*\n([\s\S]*?)```/g)].map((m) => m[1]!.split('\n'));
  const sourced = blocks.filter(([first]) => /^(<!--|\/\/|\/\*) examples\//.test(first!));
  assert.ok(sourced.length >= 5, 'the plain, theme, React, Vue and iframe snippets name their files');
  for (const [first, ...lines] of sourced) {
    const file = first!.match(/examples\/\S+/)![0];
    assert.ok(existsSync(join(root, file)), `${file} exists`);
    const source = readFileSync(join(root, file), 'utf8');
    for (const line of lines.filter((l) => l.trim())) assert.ok(source.includes(line), `${file} has: ${line.trim()}`);
  }
});

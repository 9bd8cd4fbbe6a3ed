// Writes custom-elements.json and web-types.json (to the package root, or to the folder given
// as the first argument) with the Custom Elements Manifest analyzer and
// custom-elements-manifest.config.mjs. At the root it also rewrites the README's API section
// from the manifest.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

/** Generates both files into `outDir`; throws with the analyzer's output when it fails. */
export function buildManifest(outDir = root) {
  mkdirSync(outDir, { recursive: true });
  const rel = relative(root, resolve(outDir)) || '.';
  const result = spawnSync(
    process.execPath,
    ['node_modules/@custom-elements-manifest/analyzer/cem.js', 'analyze', '--config', 'custom-elements-manifest.config.mjs', '--outdir', rel, '--quiet'],
    { cwd: root, encoding: 'utf8', env: { ...process.env, CEM_OUTDIR: rel } },
  );
  if (result.status !== 0) throw new Error(`custom-elements-manifest analyzer failed:\n${result.stdout}${result.stderr}`);
}

const API_START = '<!-- element-api:start -->';
const API_END = '<!-- element-api:end -->';

/** Markdown table cells: one line, pipes escaped. */
const cell = (text = '') => text.replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();

/** The README's "element's API" section, rendered from a manifest. */
export function renderApiSection(manifest) {
  const el = manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.customElement && d.tagName);
  const fields = (el.members ?? []).filter((m) => m.kind === 'field');
  const attributeOf = new Map((el.attributes ?? []).map((a) => [a.fieldName ?? a.name, a.name]));
  const rows = (head, items) => [head, head.replace(/[^|]+/g, '---'), ...items].join('\n');
  const properties = fields.map((f) => `| \`${f.name}\` | ${attributeOf.has(f.name) ? `\`${attributeOf.get(f.name)}\`` : '(property only)'} | \`${cell(f.type?.text)}\` | ${cell(f.description)} |`);
  for (const a of el.attributes ?? []) {
    if (!fields.some((f) => f.name === (a.fieldName ?? a.name))) properties.push(`| | \`${a.name}\` | \`${cell(a.type?.text ?? 'string')}\` | ${cell(a.description)} |`);
  }
  const list = (items) => items.map((i) => `| \`${i.name}\` | ${cell(i.description)} |`);
  return [
    API_START,
    "## The element's API",
    '',
    `Generated from \`custom-elements.json\` by \`npm run manifest\` (a test fails when it drifts). \`<${el.tagName}>\`: ${cell(el.summary ?? el.description)}`,
    '',
    rows('| property | attribute | type | meaning |', properties),
    '',
    'Events (bubbling, composed; typed in `HTMLElementEventMap`):',
    '',
    rows('| event | when, and `detail` |', list(el.events ?? [])),
    '',
    'CSS parts (`instant-key::part(name)`):',
    '',
    rows('| part | what |', list(el.cssParts ?? [])),
    '',
    'CSS custom properties:',
    '',
    rows('| property | what |', list(el.cssProperties ?? [])),
    ...(el.slots?.length ? ['', 'Slots:', '', rows('| slot | what |', list(el.slots.map((s) => ({ ...s, name: s.name || '(default)' }))))] : []),
    API_END,
  ].join('\n');
}

/** README.md with its API section replaced by `section`. */
export function withApiSection(readme, section) {
  const start = readme.indexOf(API_START);
  const end = readme.indexOf(API_END);
  if (start < 0 || end < start) throw new Error('README.md lacks the element-api markers');
  return readme.slice(0, start) + section + readme.slice(end + API_END.length);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  buildManifest(process.argv[2]);
  if (!process.argv[2]) {
    const manifest = JSON.parse(readFileSync(join(root, 'custom-elements.json'), 'utf8'));
    const readme = join(root, 'README.md');
    writeFileSync(readme, withApiSection(readFileSync(readme, 'utf8'), renderApiSection(manifest)));
  }
}

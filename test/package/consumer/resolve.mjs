// Run in the fresh project: resolves every export of the installed package from Node, loads the
// QA kit (no DOM at import time) and the JSON exports, and prints what it found as JSON.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const subpaths = [
  'instant-key',
  'instant-key/define',
  'instant-key/react',
  'instant-key/jsx-react',
  'instant-key/jsx-preact',
  'instant-key/testing',
  'instant-key/testing/browser',
  'instant-key/instant-key.js',
  'instant-key/custom-elements.json',
  'instant-key/web-types.json',
  'instant-key/package.json',
];
const resolved = Object.fromEntries(
  subpaths.map((s) => {
    const file = fileURLToPath(import.meta.resolve(s));
    return [s, existsSync(file) ? file.slice(file.indexOf('node_modules/')) : null];
  }),
);

const { VirtualLock } = await import('instant-key/testing');
const lock = new VirtualLock({ lockId: '3fa2c1d0-0000-4000-8000-000000000001', lockKey: new Uint8Array(32) });
const { default: manifest } = await import('instant-key/custom-elements.json', { with: { type: 'json' } });
const { default: pkg } = await import('instant-key/package.json', { with: { type: 'json' } });
const tags = manifest.modules.flatMap((m) => m.declarations ?? []).map((d) => d.tagName).filter(Boolean);

console.log(JSON.stringify({ resolved, lockName: lock.name, tags, version: pkg.version }));

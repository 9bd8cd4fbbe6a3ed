import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from './config.ts';
import { DEVICE_PROOF_FILE } from './element-files.ts';

/** Where `npm run build:element` writes the script-tag entry. */
export const DEFAULT_ELEMENT_FILE = fileURLToPath(new URL('../dist/instant-key.js', import.meta.url));
/** Written by the same build; a `dist/` from before it is rebuilt so that /k signs its early request. */
const DEFAULT_DEVICE_PROOF_FILE = fileURLToPath(new URL(`../dist/${DEVICE_PROOF_FILE}`, import.meta.url));

/**
 * The element's entry for `npm run server`: the built one, else built now (Vite is a
 * development dependency, so this works in a checkout), else a configuration error that names
 * the command to run. Without it every key link the server issues would open a blank page.
 */
export async function ensureElementBuilt(entry = DEFAULT_ELEMENT_FILE, log: (line: string) => void = () => {}): Promise<string> {
  if (existsSync(entry) && (entry !== DEFAULT_ELEMENT_FILE || existsSync(DEFAULT_DEVICE_PROOF_FILE))) return entry;
  if (entry !== DEFAULT_ELEMENT_FILE) throw new ConfigError(`The element file ${entry} does not exist: run npm run build:element`);
  let build: () => Promise<void>;
  try {
    ({ buildScriptTag: build } = (await import('../scripts/build.mjs')) as { buildScriptTag: () => Promise<void> });
  } catch (err) {
    // A build without the device-proof file still serves /k; the element then asks itself.
    if (existsSync(entry)) return entry;
    throw new ConfigError(`dist/instant-key.js is missing and cannot be built here (${(err as Error).message}): run npm run build:element`);
  }
  log(`dist/${existsSync(entry) ? DEVICE_PROOF_FILE : 'instant-key.js'} is missing: building it (npm run build:element)…`);
  await build();
  if (!existsSync(entry)) throw new ConfigError('The element build did not write dist/instant-key.js: run npm run build:element and read its errors');
  return entry;
}

/**
 * Names a developer's mistake in the console, once per message and page: the guest sees a
 * plain message in the element, the developer needs the cause. Never given secrets.
 */
const given = new Set<string>();

export function hint(message: string): void {
  if (given.has(message)) return;
  given.add(message);
  console.warn(`[instant-key] ${message}`);
}

/** A lazy chunk failed while the browser says it is online: the files are not all served. */
export function chunkHint(file: string): void {
  if (typeof navigator === 'undefined' || navigator.onLine !== false) {
    hint(`${file} could not be loaded: serve every instant-key-*.js file from the folder of instant-key.js.`);
  }
}

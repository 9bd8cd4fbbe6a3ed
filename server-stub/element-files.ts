import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** The element's files: the entry, its content-hashed chunks, their source maps, the build manifest. */
export const ELEMENT_FILE_RE = /^instant-key[-\w]*\.(js|js\.map|manifest\.json)$/;

/** The entry changes name never, so caches may keep it only briefly; chunks are named by content. */
export const ENTRY_CACHE_CONTROL = 'public, max-age=300';
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

export type Encoding = 'br' | 'gzip' | 'identity';

/** One element file, read and compressed once per build. */
export interface ElementFile {
  name: string;
  type: string;
  /** Strong ETag: a hash of the content. */
  etag: string;
  cacheControl: string;
  bodies: Record<Encoding, Buffer>;
}

interface Cached {
  mtimeMs: number;
  size: number;
  file: Promise<ElementFile>;
}

const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  'js.map': 'application/json; charset=utf-8',
  'manifest.json': 'application/json; charset=utf-8',
};

/**
 * The built element's folder (`dist/` next to `instant-key.js`), served with precomputed
 * brotli and gzip. A file is read and compressed the first time it is asked for, and again
 * only when the build replaces it (its mtime or size changes), so a rebuild while the server
 * runs is picked up without compressing on every request.
 */
export class ElementFiles {
  readonly dir: string;
  readonly entryName: string;
  readonly #cache = new Map<string, Cached>();

  constructor(entryFile: string) {
    this.dir = dirname(entryFile);
    this.entryName = basename(entryFile);
  }

  /**
   * The file named `name` (one of {@link ELEMENT_FILE_RE}, or the device-proof script the key
   * page inlines), or null when it is not built.
   */
  async get(name: string): Promise<ElementFile | null> {
    if (name !== this.entryName && name !== DEVICE_PROOF_FILE && !ELEMENT_FILE_RE.test(name)) return null;
    const path = join(this.dir, name);
    const info = await stat(path).catch(() => null);
    if (!info?.isFile()) {
      this.#cache.delete(name);
      return null;
    }
    const hit = this.#cache.get(name);
    if (hit && hit.mtimeMs === info.mtimeMs && hit.size === info.size) return hit.file;
    const file = load(path, name, name === this.entryName);
    this.#cache.set(name, { mtimeMs: info.mtimeMs, size: info.size, file });
    // A failed read is not remembered: the next request tries again.
    file.catch(() => this.#cache.delete(name));
    return file.catch(() => null);
  }

  /** The build manifest Vite wrote next to the entry (which chunks each module needs), if any. */
  async manifest(): Promise<BuildManifest | null> {
    const file = await this.get(MANIFEST_NAME);
    if (!file) return null;
    try {
      return JSON.parse(file.bodies.identity.toString('utf8')) as BuildManifest;
    } catch {
      return null;
    }
  }
}

/**
 * Written next to the entry by `vite build` (vite.config.ts): the element's device-key and
 * DPoP proof code alone, as one statement defining `DEVICE_PROOF`, for the key page to inline.
 * Not served: only the page holds it.
 */
export const DEVICE_PROOF_FILE = 'instant-key.device-proof.js';

/** Written by `vite build` (vite.config.ts, `build.manifest`). */
export const MANIFEST_NAME = 'instant-key.manifest.json';

/** Vite's build manifest: source module id to its output file and the chunks it imports. */
export type BuildManifest = Record<string, { file: string; isEntry?: boolean; imports?: string[]; dynamicImports?: string[] }>;

async function load(path: string, name: string, isEntry: boolean): Promise<ElementFile> {
  const identity = await readFile(path);
  const [br, gz] = await Promise.all([
    brotli(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: identity.length } }),
    gzipAsync(identity, { level: 9 }),
  ]);
  const ext = name.endsWith('.js.map') ? 'js.map' : name.endsWith('.manifest.json') ? 'manifest.json' : 'js';
  return {
    name,
    type: TYPES[ext]!,
    etag: `"${createHash('sha256').update(identity).digest('base64url').slice(0, 22)}"`,
    // The manifest names the current chunks, so it must follow rebuilds like the entry.
    cacheControl: isEntry || ext === 'manifest.json' ? ENTRY_CACHE_CONTROL : IMMUTABLE_CACHE_CONTROL,
    bodies: { br, gzip: gz, identity },
  };
}

/**
 * The encoding to send for an `Accept-Encoding` header: brotli, else gzip, else none; a
 * coding listed with `q=0` is refused, and `*` stands for codings not listed.
 */
export function negotiateEncoding(header: string | undefined): Encoding {
  if (!header) return 'identity';
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (!coding) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    q.set(coding, Number.isFinite(value) ? value : 0);
  }
  const weight = (coding: string) => q.get(coding) ?? q.get('*') ?? 0;
  const br = weight('br');
  const gz = weight('gzip');
  if (br > 0 && br >= gz) return 'br';
  return gz > 0 ? 'gzip' : 'identity';
}

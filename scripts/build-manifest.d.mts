/** Writes custom-elements.json and web-types.json into `outDir` (default: the package root). */
export function buildManifest(outDir?: string): void;
/** The README's "element's API" section (markers included), rendered from a manifest. */
export function renderApiSection(manifest: unknown): string;
/** `readme` with its element-api section replaced by `section`. */
export function withApiSection(readme: string, section: string): string;

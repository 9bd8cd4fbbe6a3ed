/** Builds the script-tag file (dist/instant-key.js and its chunks) and removes stale chunks. */
export declare function buildScriptTag(): Promise<void>;
/** Compiles src/ to dist/npm/ with tsc. */
export declare function buildNpm(): void;

/** Flags every Chromium launch needs (Web Bluetooth and a quiet browser). */
export declare const CHROMIUM_ARGS: string[];
/** `CHROMIUM_PATH`, then the system's Chromium, then a browser Playwright installed earlier. */
export declare function findChromium(): Promise<string | undefined>;
/** Finds Chromium or installs it (Debian's package, else Playwright's download). */
export declare function ensureChromium(): Promise<string>;
/** Launches headless Chromium with `CHROMIUM_ARGS` (plus `extraArgs`) through playwright-core. */
export declare function launchChromium(extraArgs?: string[]): Promise<import('playwright-core').Browser>;

// Finds a Chromium for the tests, the demo check and the benchmarks, and gets one when none is
// found. Playwright cannot download browsers on our machines, so Debian's Chromium comes first.
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

/** Flags every launch needs: Web Bluetooth (with getDevices/watchAdvertisements) and a quiet browser. */
export const CHROMIUM_ARGS = [
  '--enable-features=WebBluetooth,WebBluetoothNewPermissionsBackend',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

const SYSTEM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function playwrightBrowser() {
  try {
    const { chromium } = await import('playwright-core');
    const path = chromium.executablePath();
    return executable(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/** `CHROMIUM_PATH`, then the system's Chromium, then a browser Playwright installed earlier. */
export async function findChromium() {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (executable(fromEnv)) return fromEnv;
    throw new Error(`CHROMIUM_PATH is set to ${fromEnv}, which is not an executable file.`);
  }
  return SYSTEM_PATHS.find(executable) ?? (await playwrightBrowser());
}

function tryRun(command, args) {
  console.error(`[chromium] $ ${command} ${args.join(' ')}`);
  return spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
}

function canUseApt() {
  try {
    execFileSync('apt-get', ['--version'], { stdio: 'ignore' });
  } catch {
    return false;
  }
  return process.getuid?.() === 0;
}

/** Finds Chromium or installs it: Debian's package through apt-get, else Playwright's download. */
export async function ensureChromium() {
  const found = await findChromium();
  if (found) return found;
  console.error('[chromium] No Chromium found (CHROMIUM_PATH, /usr/bin/chromium, Playwright cache).');
  if (canUseApt()) {
    console.error("[chromium] Installing Debian's chromium package with apt-get...");
    if (tryRun('apt-get', ['update', '-qq']) && tryRun('apt-get', ['install', '-y', '-qq', 'chromium'])) {
      const installed = await findChromium();
      if (installed) return installed;
    }
  }
  console.error("[chromium] Trying Playwright's browser download...");
  tryRun(process.execPath, ['node_modules/playwright-core/cli.js', 'install', 'chromium']);
  const downloaded = await findChromium();
  if (downloaded) return downloaded;
  throw new Error(
    'No Chromium could be found or installed. Install it (Debian: `sudo apt-get install -y chromium`) ' +
      'or point CHROMIUM_PATH at a Chromium or Chrome binary.',
  );
}

/** Launches headless Chromium with `CHROMIUM_ARGS` (plus `extraArgs`) through playwright-core. */
export async function launchChromium(extraArgs = []) {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: await ensureChromium(), args: [...CHROMIUM_ARGS, ...extraArgs], headless: true });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensureChromium().then(
    (path) => console.log(path),
    (error) => {
      console.error(`[chromium] ${error.message}`);
      process.exit(1);
    },
  );
}

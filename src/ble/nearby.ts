/*
 * One-tap unlock for locks the guest already chose: with Chrome's newer permissions backend,
 * `getDevices()` returns them on later visits and `watchAdvertisements()` tells when one is in
 * range. Feature-detected: without either, every unlock goes through the chooser.
 */

/** An advertisement older than this no longer counts as "in range". */
export const IN_RANGE_MS = 15_000;

export class NearbyLocks {
  readonly #onChange: () => void;
  readonly #now: () => number;
  /** Permitted devices by advertised name, and when each was last heard. */
  readonly #devices = new Map<string, BluetoothDevice>();
  readonly #heard = new Map<string, number>();
  #watch: AbortController | undefined;

  constructor(onChange: () => void, now: () => number = Date.now) {
    this.#onChange = onChange;
    this.#now = now;
  }

  /** Starts watching the permitted devices among `names`; replaces any earlier watch. */
  async watch(bluetooth: Bluetooth, names: readonly string[]): Promise<void> {
    this.stop();
    if (typeof bluetooth.getDevices !== 'function') return;
    const controller = new AbortController();
    this.#watch = controller;
    let devices: BluetoothDevice[];
    try {
      devices = await bluetooth.getDevices();
    } catch {
      return;
    }
    if (controller.signal.aborted || !Array.isArray(devices)) return;
    for (const device of devices) if (device.name && names.includes(device.name)) this.#follow(device, controller.signal);
  }

  /** A device the guest just picked in the chooser: watched from now on. */
  remember(device: BluetoothDevice): void {
    if (this.#watch && device.name && !this.#devices.has(device.name)) this.#follow(device, this.#watch.signal);
  }

  /** A permitted device among `names` heard recently, to connect to without the chooser. */
  inRange(names: readonly string[]): BluetoothDevice | undefined {
    const now = this.#now();
    for (const name of names) {
      const heard = this.#heard.get(name);
      if (heard !== undefined && now - heard < IN_RANGE_MS) return this.#devices.get(name);
    }
    return undefined;
  }

  stop(): void {
    this.#watch?.abort();
    this.#watch = undefined;
    this.#devices.clear();
    this.#heard.clear();
  }

  #follow(device: BluetoothDevice, signal: AbortSignal): void {
    const name = device.name!;
    this.#devices.set(name, device);
    // Polyfills may hand out plain-object devices: no events, no watching.
    if (typeof device.watchAdvertisements !== 'function' || typeof device.addEventListener !== 'function') return;
    device.addEventListener(
      'advertisementreceived',
      () => {
        const fresh = !this.inRange([name]);
        this.#heard.set(name, this.#now());
        if (fresh) this.#onChange();
      },
      { signal },
    );
    device.watchAdvertisements({ signal }).catch(() => this.#devices.delete(name));
  }
}

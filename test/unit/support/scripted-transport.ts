/** A FrameTransport that plays back a script: the lock's side of a conversation, made up. */
import type { FrameTransport } from '../../../src/protocol/transport.ts';
import { TransportError } from '../../../src/protocol/transport.ts';

/** What one transport call does: resolve with bytes, reject with an error, or never settle. */
export type Act = Uint8Array | Error | 'hang';

export interface Script {
  info: Act;
  /** Results of successive `readFrame` calls; once used up, reads fail as `disconnected`. */
  reads: Act[];
  /** Result of each `writeFrame`; default: accepted. */
  write?: (frame: Uint8Array, index: number) => Act | undefined;
}

export class ScriptedTransport implements FrameTransport {
  readonly written: Uint8Array[] = [];
  readonly calls: Array<'info' | 'write' | 'read'> = [];
  maxInFlight = 0;
  #inFlight = 0;
  #reads: Act[];

  constructor(private readonly script: Script) {
    this.#reads = [...script.reads];
  }

  readInfo(): Promise<Uint8Array> {
    this.calls.push('info');
    return this.#act(this.script.info) as Promise<Uint8Array>;
  }

  writeFrame(frame: Uint8Array): Promise<void> {
    this.calls.push('write');
    this.written.push(frame.slice());
    const act = this.script.write?.(frame, this.written.length - 1);
    return this.#act(act ?? new Uint8Array(0)).then(() => undefined);
  }

  readFrame(): Promise<Uint8Array> {
    this.calls.push('read');
    return this.#act(this.#reads.shift() ?? new TransportError('disconnected', 'script exhausted')) as Promise<Uint8Array>;
  }

  #act(act: Act): Promise<unknown> {
    if (act === 'hang') {
      this.#track(1);
      return new Promise(() => {});
    }
    this.#track(1);
    const settled = act instanceof Error ? Promise.reject(act) : Promise.resolve(act);
    return settled.finally(() => this.#track(-1));
  }

  #track(delta: number): void {
    this.#inFlight += delta;
    this.maxInFlight = Math.max(this.maxInFlight, this.#inFlight);
  }
}

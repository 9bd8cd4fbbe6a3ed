import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { atom } from 'nanostores';
import { StoreController } from '../../src/state/store-controller.ts';

/** The part of a Lit element a controller talks to, counting update requests. */
class FakeHost implements ReactiveControllerHost {
  readonly controllers: ReactiveController[] = [];
  updates = 0;
  addController(controller: ReactiveController): void {
    this.controllers.push(controller);
  }
  removeController(): void {}
  requestUpdate(): void {
    this.updates++;
  }
  get updateComplete(): Promise<boolean> {
    return Promise.resolve(true);
  }
  connect(): void {
    for (const c of this.controllers) c.hostConnected?.();
  }
  disconnect(): void {
    for (const c of this.controllers) c.hostDisconnected?.();
  }
}

describe('StoreController', () => {
  test('registers itself with its host and reads the store', () => {
    const host = new FakeHost();
    const $n = atom(1);
    const controller = new StoreController(host, $n);
    assert.deepEqual(host.controllers, [controller]);
    assert.equal(controller.value, 1);
  });

  test('asks for an update on each change while connected', () => {
    const host = new FakeHost();
    const $n = atom(1);
    new StoreController(host, $n);
    host.connect();
    const afterConnect = host.updates;
    $n.set(2);
    $n.set(3);
    assert.equal(host.updates - afterConnect, 2);
  });

  test('stops listening when the host disconnects, and catches up on reconnect', () => {
    const host = new FakeHost();
    const $n = atom(1);
    const controller = new StoreController(host, $n);
    host.connect();
    host.disconnect();
    assert.equal($n.lc, 0, 'no listener left behind');
    const before = host.updates;
    $n.set(2);
    assert.equal(host.updates, before);
    host.connect();
    assert.equal(host.updates, before + 1);
    assert.equal(controller.value, 2);
  });

  test('does not double-subscribe on a repeated connect', () => {
    const host = new FakeHost();
    const $n = atom(1);
    new StoreController(host, $n);
    host.connect();
    host.connect();
    assert.equal($n.lc, 1);
  });
});

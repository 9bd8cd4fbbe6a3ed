import type { FastifyInstance } from 'fastify';
import { KEY_LENGTH } from '../../src/protocol/constants.ts';
import type { AppContext } from '../context.ts';
import { createEntrance, ENTRANCE_KINDS, listEntrances } from '../store/entrances.ts';
import { adminRoute } from './admin-route.ts';

/** BLE advertising leaves room for at most 29 bytes of local name beside the service UUID. */
const BLE_NAME_RE = /^[\x20-\x7e]{1,29}$/;

/** `/acs/entrances/create|list`. */
export function entranceRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { db } = ctx;
  adminRoute(app, ctx, '/acs/entrances/create', (input, now) => {
    const display_name = input.string('display_name', { required: true, max: 100 });
    const kind = input.oneOf('kind', ENTRANCE_KINDS, { required: true });
    const lock = input.object('lock');
    const ble_name = lock?.string('ble_name', { max: 29 });
    if (ble_name !== undefined && !BLE_NAME_RE.test(ble_name)) lock?.fail('ble_name', 'At most 29 printable ASCII characters');
    const lock_key = lock?.base64urlBytes('lock_key', KEY_LENGTH);
    input.done();
    return { acs_entrance: createEntrance(db, now, { display_name, kind, ble_name, lock_key }) };
  });
  adminRoute(app, ctx, '/acs/entrances/list', () => ({ acs_entrances: listEntrances(db) }));
}

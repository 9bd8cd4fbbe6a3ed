import type { FastifyInstance } from 'fastify';
import { KEY_LENGTH } from '../../src/protocol/constants.ts';
import type { AppContext } from '../context.ts';
import { ENTRANCE_KINDS } from '../store/entrances.ts';
import { readPage } from '../store/pagination.ts';
import { adminRoute } from './admin-route.ts';

/** BLE advertising leaves room for at most 29 bytes of local name beside the service UUID. */
const BLE_NAME_RE = /^[\x20-\x7e]{1,29}$/;

/** `/acs/entrances/create|get|list`. */
export function entranceRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { store } = ctx;
  adminRoute(app, ctx, '/acs/entrances/create', async (input, now) => {
    const display_name = input.string('display_name', { required: true, max: 100 });
    const kind = input.oneOf('kind', ENTRANCE_KINDS, { required: true });
    const details = {
      floor: input.string('floor', { max: 20 }),
      room_type: input.string('room_type', { max: 60 }),
      hours: input.hours('hours'),
      location: input.string('location', { max: 100 }),
    };
    const lock = input.object('lock');
    const ble_name = lock?.string('ble_name', { max: 29 });
    if (ble_name !== undefined && !BLE_NAME_RE.test(ble_name)) lock?.fail('ble_name', 'At most 29 printable ASCII characters');
    const lock_key = lock?.base64urlBytes('lock_key', KEY_LENGTH);
    input.done();
    return { acs_entrance: await store.entrances.create(now, { display_name, kind, ble_name, lock_key, ...details }) };
  });
  adminRoute(app, ctx, '/acs/entrances/get', async (input) => {
    const id = input.uuid('acs_entrance_id', { required: true });
    input.done();
    return { acs_entrance: await store.entrances.get(id) };
  });
  adminRoute(app, ctx, '/acs/entrances/list', async (input) => {
    const ids = await store.workspace();
    const acs_system_id = input.uuid('acs_system_id');
    const connected_account_id = input.uuid('connected_account_id');
    const filter = {
      acs_entrance_ids: input.uuidList('acs_entrance_ids', { max: 1000 }),
      search: input.string('search', { max: 100 }),
      // Every entrance belongs to this server's one system and account.
      matches: (acs_system_id ?? ids.acs_system_id) === ids.acs_system_id && (connected_account_id ?? ids.connected_account_id) === ids.connected_account_id,
    };
    input.unsupported(['acs_credential_id', 'customer_key', 'location_id', 'space_id']);
    const page = readPage(input, '/acs/entrances/list', { acs_entrance_ids: filter.acs_entrance_ids, search: filter.search, acs_system_id, connected_account_id }, ctx.publicBaseUrl, { limit: 500, max: 1000 });
    input.done();
    const { items, pagination } = await store.entrances.list(filter, page);
    return { acs_entrances: items, pagination };
  });
}


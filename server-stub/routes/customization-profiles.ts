import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import type { CustomizationFields } from '../store/customization-profiles.ts';
import type { Input } from '../validation.ts';
import { adminRoute } from './admin-route.ts';

const FIELDS = ['primary_color', 'secondary_color', 'logo_url', 'hotel_name', 'support_phone', 'support_email', 'accent_color'] as const;
/** Seam's profile fields for its own customer portal and messages, which this server has not. */
const UNSUPPORTED = ['customer_portal_theme', 'message_overrides'];

/** Reads and validates customization fields (a key's `customization`, or a profile's). */
export function readCustomization(input: Input): CustomizationFields {
  const out: CustomizationFields = {};
  const set = <K extends keyof CustomizationFields>(key: K, value: CustomizationFields[K] | undefined) => {
    if (value !== undefined) out[key] = value;
  };
  set('primary_color', input.color('primary_color'));
  set('secondary_color', input.color('secondary_color'));
  set('logo_url', input.httpsUrl('logo_url'));
  set('hotel_name', input.string('hotel_name', { max: 100 }));
  set('support_phone', input.phone('support_phone'));
  set('support_email', input.email('support_email'));
  set('accent_color', input.color('accent_color'));
  return out;
}

/** `/workspaces/customization_profiles/create|get|list|update`, as Seam names them. */
export function customizationProfileRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { store } = ctx;
  adminRoute(app, ctx, '/workspaces/customization_profiles/create', async (input, now) => {
    const name = input.string('name', { max: 100 });
    const fields = readCustomization(input);
    input.unsupported(UNSUPPORTED);
    input.done();
    return { customization_profile: await store.profiles.create(now, name, fields) };
  });
  adminRoute(app, ctx, '/workspaces/customization_profiles/get', async (input) => {
    const id = input.uuid('customization_profile_id', { required: true });
    input.done();
    return { customization_profile: await store.profiles.get(id) };
  });
  adminRoute(app, ctx, '/workspaces/customization_profiles/list', async (input) => {
    input.unsupported(['customer_key']);
    input.done();
    return { customization_profiles: await store.profiles.list() };
  });
  adminRoute(app, ctx, '/workspaces/customization_profiles/update', async (input) => {
    const id = input.uuid('customization_profile_id', { required: true });
    const name = input.isNull('name') ? null : input.string('name', { max: 100 });
    const cleared = FIELDS.filter((field) => input.isNull(field));
    const fields = readCustomization(input);
    input.unsupported(UNSUPPORTED);
    input.done();
    return { customization_profile: await store.profiles.update(id, { ...(name === undefined ? {} : { name }), fields, cleared }) };
  }, { update: true });
}

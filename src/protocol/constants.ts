/** IK1 GATT profile (protocol.md, "GATT profile"). */
export const IK1_SERVICE_UUID = '5a1e0001-7c3d-4f5e-9a8b-1c2d3e4f5a6b';
export const IK1_INFO_UUID = '5a1e0002-7c3d-4f5e-9a8b-1c2d3e4f5a6b';
export const IK1_CONTROL_UUID = '5a1e0003-7c3d-4f5e-9a8b-1c2d3e4f5a6b';

export const IK1_VERSION = 0x01;
export const MIN_MAX_FRAME = 20;
export const MAX_MAX_FRAME = 512;
/** Tolerance for lock clock skew when checking a ticket's window, in seconds. */
export const CLOCK_SKEW_S = 60;

export const TICKET_LENGTH = 114;
export const TICKET_PLAIN_LENGTH = 73;
export const NONCE_LENGTH = 24;
export const KEY_LENGTH = 32;
export const ID_LENGTH = 16;
export const LOCK_NONCE_LENGTH = 16;

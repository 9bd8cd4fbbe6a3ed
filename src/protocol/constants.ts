/**
 * Instant Key lock protocol, version 2 (docs/protocol.md). The GATT profile is the one
 * version 1 defined; the `IK1_` names stay because the UUIDs did not change.
 */
export const IK1_SERVICE_UUID = '5a1e0001-7c3d-4f5e-9a8b-1c2d3e4f5a6b';
export const IK1_INFO_UUID = '5a1e0002-7c3d-4f5e-9a8b-1c2d3e4f5a6b';
export const IK1_CONTROL_UUID = '5a1e0003-7c3d-4f5e-9a8b-1c2d3e4f5a6b';

/** The version byte of `info`, of every ticket and of every lock update. */
export const PROTOCOL_VERSION = 0x02;
export const MIN_MAX_FRAME = 20;
export const MAX_MAX_FRAME = 512;
/** Tolerance for lock clock skew when checking a ticket's window, in seconds. */
export const CLOCK_SKEW_S = 60;
/**
 * A session whose UNLOCK has not fully arrived this long after its CHALLENGE is readable ends.
 * (Against other phones it holds nothing at all: their HELLOs supersede it.)
 */
export const CHALLENGE_WINDOW_MS = 2_000;
/** The lock drops a connection with no `control` write or read for this long (section 9, "Connections"). */
export const IDLE_TIMEOUT_MS = 10_000;
/** The longest ticket lifetime the server may be configured with (docs/protocol.md, "Revocation"). */
export const MAX_TICKET_TTL_S = 86_400;

export const NONCE_LENGTH = 24;
export const KEY_LENGTH = 32;
export const ID_LENGTH = 16;
export const TAG_LENGTH = 16;
export const LOCK_NONCE_LENGTH = 16;
export const PHONE_NONCE_LENGTH = 16;
export const TICKET_PLAIN_LENGTH = 73;
export const TICKET_LENGTH = 1 + NONCE_LENGTH + TICKET_PLAIN_LENGTH + TAG_LENGTH;

/** Revoked credentials one lock update can list. */
export const MAX_UPDATE_ENTRIES = 100;
/** A lock update's clear header: version and sequence. */
export const LOCK_UPDATE_HEADER_LENGTH = 1 + 4;
/** A lock update listing no credential; each listed one adds 16 bytes. */
export const MIN_LOCK_UPDATE_LENGTH = LOCK_UPDATE_HEADER_LENGTH + NONCE_LENGTH + ID_LENGTH + TAG_LENGTH;
export const MAX_LOCK_UPDATE_LENGTH = MIN_LOCK_UPDATE_LENGTH + MAX_UPDATE_ENTRIES * ID_LENGTH;

/*
 * The native bridge's wire format (docs/native-bridge.md, version 1): JSON strings both ways.
 * Everything the native side sends is checked here before it reaches the transport.
 */

/** What the host defines before the page's scripts run; the element adds `receive`. */
export interface InstantKeyBridge {
  send(message: string): void;
  receive?: (message: string) => void;
}

/** The native side's codes (the contract's table), before they become the element's. */
export type BridgeErrorCode = 'cancelled' | 'unavailable' | 'not_found' | 'timeout' | 'connect_failed' | 'disconnected' | 'gatt_failed' | 'unsupported';

export type Reply =
  | { kind: 'reply'; id: number; ok: true; fields: Record<string, unknown> }
  | { kind: 'reply'; id: number; ok: false; error: string }
  | { kind: 'disconnected'; device: string }
  | { kind: 'availability'; available: boolean };

/** Longest string the page accepts in any field: a base64 frame of 512 bytes is 684. */
const MAX_FIELD = 1024;

/** Parses one message from the native side; `undefined` for anything off-contract. */
export function parseMessage(message: unknown): Reply | undefined {
  if (typeof message !== 'string' || message.length > 16 * MAX_FIELD) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const m = data as Record<string, unknown>;
  if ('id' in m) {
    if (!Number.isSafeInteger(m.id) || typeof m.ok !== 'boolean') return undefined;
    const id = m.id as number;
    if (m.ok) return { kind: 'reply', id, ok: true, fields: m };
    return { kind: 'reply', id, ok: false, error: typeof m.error === 'string' ? m.error.slice(0, 64) : 'unknown' };
  }
  if (m.event === 'disconnected' && isShortString(m.device)) return { kind: 'disconnected', device: m.device };
  if (m.event === 'availability' && typeof m.available === 'boolean') return { kind: 'availability', available: m.available };
  return undefined;
}

export function isShortString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_FIELD;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Standard base64 (with padding) to bytes; `undefined` when it is not that. */
export function fromBase64(text: unknown): Uint8Array | undefined {
  if (typeof text !== 'string' || text.length > MAX_FIELD || !BASE64.test(text)) return undefined;
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

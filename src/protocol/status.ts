/** RESULT status codes (docs/protocol.md, "Statuses"). */
export const Status = {
  OK: 0x00,
  BAD_TICKET: 0x01,
  WRONG_LOCK: 0x02,
  NOT_YET_VALID: 0x03,
  EXPIRED: 0x04,
  BAD_PROOF: 0x05,
  REVOKED: 0x06,
  FORBIDDEN: 0x07,
  OUT_OF_ORDER: 0x08,
  BUSY: 0x09,
  UNSUPPORTED_VERSION: 0x0a,
  MALFORMED: 0x0b,
  JAMMED: 0x0c,
} as const;

export type StatusName = keyof typeof Status;
export type StatusCode = (typeof Status)[StatusName];

const NAMES = new Map<number, StatusName>(
  Object.entries(Status).map(([name, code]) => [code, name as StatusName]),
);

export function statusName(code: number): StatusName | undefined {
  return NAMES.get(code);
}

/** Statuses the lock sends only after it has opened the ticket, so they carry a tag. */
const AUTHENTICATED: ReadonlySet<number> = new Set([
  Status.OK,
  Status.WRONG_LOCK,
  Status.NOT_YET_VALID,
  Status.EXPIRED,
  Status.BAD_PROOF,
  Status.REVOKED,
  Status.FORBIDDEN,
  Status.JAMMED,
]);

export function isAuthenticatedStatus(code: number): boolean {
  return AUTHENTICATED.has(code);
}

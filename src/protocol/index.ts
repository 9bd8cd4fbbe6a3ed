/** The lock protocol (docs/protocol.md): wire format, framing, lock updates, the phone's unlock session and status codes. */
export * from './bytes.ts';
export * from './constants.ts';
export * from './framing.ts';
export * from './lock-update.ts';
export * from './messages.ts';
export * from './session.ts';
export * from './status.ts';
export * from './ticket.ts';
export * from './transport.ts';

import type { TemplateResult } from 'lit';
// The English of what this view shows, registered on load (not in the entry).
import '../i18n/en-unlock.ts';
import type { UnlockValue } from '../state/index.ts';
import { actionButton, message } from './message.ts';
import type { Text } from './text.ts';

/** Lock refusals a retry cannot fix: the guest is told whom to ask instead. */
const FINAL = new Set(['lock_bad_ticket', 'lock_wrong_lock', 'lock_not_yet_valid', 'lock_revoked', 'lock_forbidden', 'lock_unsupported_version', 'lock_jammed']);
/** Refusals that fresh tickets fix: offered as "Update key". */
const STALE_TICKET = new Set(['lock_expired', 'lock_bad_proof']);

export interface UnlockFailureActions {
  /** "Update key": fresh tickets, then the guest taps again. */
  refresh(): void;
  retry(event: Event): void;
  back(): void;
}

/** A door did not unlock: why, and the one next step that can help. */
export function unlockFailure(text: Text, failed: Extract<UnlockValue, { phase: 'failed' }>, entrance: string, on: UnlockFailureActions): TemplateResult {
  const { code } = failed;
  return message(
    code,
    text.t('error.unlockTitle', { entrance }),
    text.t(`error.${code}`),
    STALE_TICKET.has(code)
      ? actionButton(text, 'refresh-button', 'action.refresh', on.refresh)
      : !FINAL.has(code) && actionButton(text, 'retry-button', 'action.retry', on.retry),
    actionButton(text, 'back-button', 'action.back', on.back, true),
  );
}

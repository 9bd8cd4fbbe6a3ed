import { nothing, type TemplateResult } from 'lit';
import type { Customization } from '../credentials/types.ts';
import type { UnlockValue } from '../state/index.ts';
import { actionButton, message } from './message.ts';
import { support } from './support.ts';
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
  /** The key shown is not fresh: stale tickets cannot be updated now, so no "Update key". */
  offline?: boolean;
}

/** A door did not unlock: why, the one next step that can help, and the front desk if none can. */
export function unlockFailure(
  text: Text,
  failed: Extract<UnlockValue, { phase: 'failed' }>,
  entrance: string,
  customization: Customization,
  on: UnlockFailureActions,
): TemplateResult {
  const { code } = failed;
  const final = FINAL.has(code);
  return message(
    code,
    text.t('error.unlockTitle', { entrance }),
    STALE_TICKET.has(code) && on.offline ? text.t('renew.body') : text.t(`error.${code}`),
    [
      STALE_TICKET.has(code)
        ? !on.offline && actionButton(text, 'refresh-button', 'action.refresh', on.refresh)
        : !final && actionButton(text, 'retry-button', 'action.retry', on.retry),
      actionButton(text, 'back-button', 'action.back', on.back, true),
    ],
    final ? support(text, customization) : nothing,
  );
}

import type { Customization } from './types.ts';

/*
 * The front desk's contact as the element shows it: the patterns the credential response is
 * validated with (validate.ts), and the check of the host page's own `support-phone` and
 * `support-email` attributes, which the element needs before any key is loaded.
 */

/** E.164: `+` and up to 15 digits. */
export const E164_RE = /^\+[1-9]\d{1,14}$/;
export const EMAIL_RE = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;

export const validPhone = (v: unknown): string | undefined => (typeof v === 'string' && E164_RE.test(v) ? v : undefined);
export const validEmail = (v: unknown): string | undefined => (typeof v === 'string' && v.length <= 254 && EMAIL_RE.test(v) ? v : undefined);

/**
 * The support contact a host page gives the element (`support-phone`, `support-email`), kept
 * only where it passes the same checks as the issuer's.
 */
export function validSupport(phone: unknown, email: unknown): Pick<Customization, 'support_phone' | 'support_email'> {
  const out: Pick<Customization, 'support_phone' | 'support_email'> = {};
  const p = validPhone(phone);
  const e = validEmail(email);
  if (p) out.support_phone = p;
  if (e) out.support_email = e;
  return out;
}

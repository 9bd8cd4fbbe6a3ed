import { css } from 'lit';

/*
 * Minimal, themeable look. Public knobs are `--ik-*` custom properties and the parts listed
 * on the element; `--_*` are private. The issuer's colours (from the credential response) are
 * the fallbacks for `--ik-primary` and `--ik-accent`, so the host page always wins. Light and
 * dark defaults follow the guest's colour scheme; logical properties follow `dir`.
 */
export const styles = css`
  :host {
    --_surface: var(--ik-surface, #fff);
    --_text: var(--ik-text, #111827);
    --_muted: var(--ik-muted, #4b5563);
    --_danger: var(--ik-danger, #b91c1c);
    --_success: var(--ik-success, #047857);
    --_tint: rgb(0 0 0 / 0.05);
    --_line: rgb(0 0 0 / 0.14);
    display: block;
    font-family: var(--ik-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    line-height: 1.4;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --_surface: var(--ik-surface, #111827);
      --_text: var(--ik-text, #f9fafb);
      --_muted: var(--ik-muted, #cbd5e1);
      --_danger: var(--ik-danger, #f87171);
      --_success: var(--ik-success, #34d399);
      --_tint: rgb(255 255 255 / 0.07);
      --_line: rgb(255 255 255 / 0.2);
    }
  }
  :host([hidden]) {
    display: none;
  }
  .base {
    --_primary: var(--ik-primary, var(--_brand, #1d4ed8));
    --_radius: var(--ik-radius, 12px);
    display: grid;
    gap: 12px;
    padding: 16px;
    color: var(--_text);
    background: var(--_surface);
    border-top: 4px solid var(--ik-accent, var(--_brand-accent, var(--_primary)));
    border-radius: var(--_radius);
  }
  .logo {
    max-height: 40px;
    max-width: 60%;
  }
  .title {
    margin: 0;
    font-size: 1.125rem;
  }
  .subtitle {
    margin: 0 0 8px;
    font-size: 1rem;
  }
  p {
    margin: 4px 0 0;
  }
  .muted {
    color: var(--_muted);
    font-size: 0.875rem;
  }
  .list {
    display: grid;
    gap: 8px;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .row[data-expired='true'] {
    opacity: 0.5;
  }
  .row {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 12px;
    padding: 12px;
    border: 1px solid var(--_line);
    border-radius: var(--_radius);
  }
  .text {
    display: grid;
    gap: 2px;
    min-width: 0;
  }
  .name {
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  .near {
    color: var(--_success);
    font-weight: 600;
  }
  button,
  .button {
    /* 44px: the minimum comfortable touch target (WCAG 2.5.5). */
    box-sizing: border-box;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    min-height: 44px;
    min-width: 44px;
    padding: 0 20px;
    border: 2px solid var(--_primary);
    border-radius: calc(var(--_radius) - 4px);
    background: var(--_primary);
    color: var(--ik-on-primary, #fff);
    font: inherit;
    font-weight: 600;
    text-decoration: none;
    cursor: pointer;
    flex-shrink: 0;
  }
  .secondary {
    background: transparent;
    color: var(--_text);
  }
  .nearby {
    width: 100%;
  }
  button.unlocked {
    border-color: var(--_success);
    background: var(--_success);
    color: var(--_surface);
  }
  :focus-visible {
    outline: 3px solid var(--_text);
    outline-offset: 2px;
  }
  button[aria-disabled='true'] {
    opacity: 0.7;
    cursor: progress;
  }
  .message,
  .notice,
  .empty {
    padding: 12px;
    border-inline-start: 4px solid var(--_danger);
    border-radius: 4px;
    background: var(--_tint);
  }
  .notice {
    margin: 0;
    border-color: var(--_muted);
  }
  .empty {
    border-color: var(--_primary);
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 8px;
    margin-top: 12px;
  }
  .spinner {
    display: inline-block;
    width: 1em;
    height: 1em;
    margin-inline-end: 8px;
    vertical-align: -0.15em;
    border: 2px solid currentColor;
    border-inline-end-color: transparent;
    border-radius: 50%;
  }
  @media (prefers-reduced-motion: no-preference) {
    .spinner {
      animation: spin 0.8s linear infinite;
    }
    button.unlocked {
      animation: pop 0.3s ease-out;
    }
  }
  @keyframes spin {
    to {
      transform: rotate(1turn);
    }
  }
  @keyframes pop {
    50% {
      transform: scale(1.08);
    }
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
    border: 0;
  }
`;

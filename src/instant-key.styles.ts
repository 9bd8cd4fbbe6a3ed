import { css } from 'lit';

/*
 * Minimal, themeable look. Public knobs are `--ik-*` custom properties and the parts listed
 * on the element; `--_*` are private. The issuer's colours (from the credential response) are
 * the fallbacks for `--ik-primary` and `--ik-accent`, so the host page always wins. Light and
 * dark defaults follow the guest's colour scheme unless `color-scheme` pins one; logical
 * properties follow `dir`. What only the loaded key needs is in view/key.styles.ts, with its view.
 */
export const styles = css`
  :host {
    --_surface: var(--ik-surface, #fff);
    --_text: var(--ik-text, #111827);
    --_muted: var(--ik-muted, #4b5563);
    --_danger: var(--ik-danger, #b91c1c);
    --_success: var(--ik-success, #047857);
    --_tint: var(--ik-tint, rgb(0 0 0 / 0.05));
    --_line: var(--ik-border, rgb(0 0 0 / 0.14));
    --_danger-surface: var(--ik-danger-surface, #fef2f2);
    --_success-surface: var(--ik-success-surface, #ecfdf5);
    --_notice-surface: var(--ik-notice-surface, #f3f4f6);
    /* The default primary: 3:1 against the surface (the stripe, outlines), 4.5:1 under white text. */
    --_blue: #1d4ed8;
    display: block;
    font-family: var(--ik-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    line-height: 1.4;
  }
  /* The same dark palette twice: following the phone, or pinned with color-scheme="dark". */
  @media (prefers-color-scheme: dark) {
    :host(:not([color-scheme='light'])) {
      --_surface: var(--ik-surface, #111827);
      --_text: var(--ik-text, #f9fafb);
      --_muted: var(--ik-muted, #cbd5e1);
      --_danger: var(--ik-danger, #f87171);
      --_success: var(--ik-success, #34d399);
      --_tint: var(--ik-tint, rgb(255 255 255 / 0.07));
      --_line: var(--ik-border, rgb(255 255 255 / 0.2));
      --_danger-surface: var(--ik-danger-surface, #3b1219);
      --_success-surface: var(--ik-success-surface, #0b3026);
      --_notice-surface: var(--ik-notice-surface, #1f2937);
      --_blue: #2563eb;
    }
  }
  :host([color-scheme='dark']) {
    --_surface: var(--ik-surface, #111827);
    --_text: var(--ik-text, #f9fafb);
    --_muted: var(--ik-muted, #cbd5e1);
    --_danger: var(--ik-danger, #f87171);
    --_success: var(--ik-success, #34d399);
    --_tint: var(--ik-tint, rgb(255 255 255 / 0.07));
    --_line: var(--ik-border, rgb(255 255 255 / 0.2));
    --_danger-surface: var(--ik-danger-surface, #3b1219);
    --_success-surface: var(--ik-success-surface, #0b3026);
    --_notice-surface: var(--ik-notice-surface, #1f2937);
    --_blue: #2563eb;
  }
  :host([color-scheme='light']) {
    color-scheme: light;
  }
  :host([color-scheme='dark']) {
    color-scheme: dark;
  }
  :host([hidden]) {
    display: none;
  }
  .base {
    --_primary: var(--ik-primary, var(--_brand, var(--_blue)));
    --_radius: var(--ik-radius, 12px);
    display: grid;
    align-content: start;
    gap: 12px;
    padding: 16px;
    color: var(--_text);
    background: var(--_surface);
    border-top: 4px solid var(--ik-accent, var(--_brand-accent, var(--_primary)));
    border-radius: var(--_radius);
  }
  /*
   * Space held from the first paint and while the key shows, so the page under the element does
   * not jump when the key arrives (a key taller than this still grows it).
   */
  .held {
    box-sizing: border-box;
    min-height: var(--ik-min-height, 320px);
  }
  .title {
    margin: 0;
    font-size: 1.125rem;
  }
  p {
    margin: 4px 0 0;
  }
  .muted {
    color: var(--_muted);
    font-size: 0.875rem;
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
  .support {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    margin-top: 12px;
  }
  :focus-visible {
    outline: 3px solid var(--_text);
    outline-offset: 2px;
  }
  .message {
    padding: 12px;
    border-inline-start: 4px solid var(--_danger);
    border-radius: 4px;
    background: var(--_tint);
  }
  .message {
    background: var(--_danger-surface);
  }
  .message:focus {
    outline: none;
  }
  .message:focus-visible {
    outline: 3px solid var(--_text);
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
    box-sizing: border-box;
    width: 1.25em;
    height: 1.25em;
    margin-inline-end: 6px;
    vertical-align: -0.15em;
    border: 2px solid currentColor;
    border-inline-end-color: transparent;
    border-radius: 50%;
  }
  @media (prefers-reduced-motion: no-preference) {
    .spinner {
      animation: spin 0.8s linear infinite;
    }
  }
  @keyframes spin {
    to {
      transform: rotate(1turn);
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

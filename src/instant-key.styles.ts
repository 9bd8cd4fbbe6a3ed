import { css } from 'lit';

/*
 * Minimal, themeable look. Public knobs are `--ik-*` custom properties and the parts listed
 * on the element; `--_*` are private. The issuer's brand colour (from the credential
 * response) is the fallback for `--ik-primary`, so the host page always wins.
 */
export const styles = css`
  :host {
    display: block;
    font-family: var(--ik-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    color: var(--ik-text, #111827);
    line-height: 1.4;
  }
  :host([hidden]) {
    display: none;
  }
  .base {
    --_primary: var(--ik-primary, var(--_brand-primary, #1d4ed8));
    --_radius: var(--ik-radius, 12px);
    display: grid;
    gap: 12px;
    padding: 16px;
    background: var(--ik-surface, #ffffff);
    border-radius: var(--_radius);
  }
  .title {
    margin: 0;
    font-size: 1.125rem;
  }
  .subtitle {
    margin: 0 0 8px;
    font-size: 1rem;
  }
  .header p,
  .message p {
    margin: 4px 0 0;
  }
  .muted {
    color: var(--ik-muted, #4b5563);
    font-size: 0.875rem;
  }
  .entrances,
  .upcoming {
    display: grid;
    gap: 8px;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .entrance,
  .upcoming li {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 12px;
    padding: 12px;
    border: 1px solid rgb(0 0 0 / 0.12);
    border-radius: var(--_radius);
  }
  .entrance-text,
  .upcoming li {
    display: grid;
    gap: 2px;
    min-width: 0;
  }
  .name {
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  button {
    /* 44px: the minimum comfortable touch target (WCAG 2.5.5). */
    min-height: 44px;
    min-width: 44px;
    padding: 0 20px;
    border: 2px solid var(--_primary);
    border-radius: calc(var(--_radius) - 4px);
    background: var(--_primary);
    color: var(--ik-on-primary, #ffffff);
    font: inherit;
    font-weight: 600;
    cursor: pointer;
    flex-shrink: 0;
  }
  button.secondary {
    background: transparent;
    color: var(--_primary);
  }
  button:focus-visible {
    outline: 3px solid var(--_primary);
    outline-offset: 2px;
  }
  button[aria-disabled='true'] {
    opacity: 0.6;
    cursor: progress;
  }
  .message {
    padding: 12px;
    border-left: 4px solid var(--ik-danger, #b91c1c);
    border-radius: 4px;
    background: rgb(0 0 0 / 0.03);
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    margin-top: 12px;
  }
  .notice {
    margin: 0;
    padding: 8px 12px;
    border-radius: 4px;
    background: rgb(0 0 0 / 0.05);
  }
  .loading {
    margin: 0;
    color: var(--ik-muted, #4b5563);
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

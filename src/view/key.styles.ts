import { css } from 'lit';

/*
 * The loaded key's look (issuer, doors, outcomes), shipped with its view's chunk and added to
 * the element's styles when the chunk arrives. The palette and shared pieces (buttons,
 * messages) are in instant-key.styles.ts.
 */
export const keyStyles = css`
  .brand {
    display: flex;
    align-items: center;
    gap: 12px;
    min-width: 0;
  }
  .logo {
    max-height: 40px;
    max-width: 60%;
  }
  .hotel {
    font-weight: 700;
    font-size: 1.0625rem;
    overflow-wrap: anywhere;
  }
  .stay {
    display: block;
  }
  .icon {
    width: 1.25em;
    height: 1.25em;
    flex-shrink: 0;
    margin-inline-end: 6px;
    vertical-align: -0.25em;
    fill: none;
    stroke: currentColor;
    stroke-width: 1.8;
    stroke-linecap: round;
    stroke-linejoin: round;
  }
  .subtitle {
    margin: 0 0 8px;
    font-size: 1rem;
  }
  .list {
    display: grid;
    gap: 8px;
    margin: 0;
    padding: 0;
    list-style: none;
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
  .closed {
    color: var(--_danger);
    font-weight: 600;
  }
  /* The room: first, and the largest target on the card. */
  [data-kind='guest_room'] .row {
    padding: 16px;
    border-width: 2px;
  }
  [data-kind='guest_room'] .name {
    font-size: 1.25rem;
  }
  [data-kind='guest_room'] .unlock {
    min-height: 52px;
  }
  /* On a phone the room's button spans the card: the biggest target, right under the thumb. */
  .base {
    container-type: inline-size;
  }
  @container (max-width: 480px) {
    [data-kind='guest_room'] .row {
      flex-direction: column;
      align-items: stretch;
    }
  }
  .row[data-expired='true'] {
    opacity: 0.5;
  }
  .row.done {
    border-color: var(--_success);
    background: var(--_success-surface);
  }
  .outcome {
    display: grid;
  }
  .nearby {
    width: 100%;
  }
  button.unlocked {
    border-color: var(--_success);
    background: var(--_success);
    color: var(--_surface);
  }
  /*
   * Unlock, Unlocking… and Unlocked share one grid cell, the two not shown as invisible
   * generated text (no accessible name: the / ""), so the button keeps its widest width.
   */
  .unlock {
    display: inline-grid;
    place-items: center;
    padding: 0 14px;
  }
  .unlock > .label,
  .unlock::before,
  .unlock::after {
    grid-area: 1 / 1;
  }
  .unlock > .label {
    display: inline-flex;
    align-items: center;
  }
  .unlock::before,
  .unlock::after {
    visibility: hidden;
    padding-inline-start: calc(1.25em + 6px);
  }
  .unlock::before {
    content: attr(data-busy) / '';
  }
  .unlock::after {
    content: attr(data-done) / '';
  }
  button[aria-disabled='true'] {
    opacity: 0.7;
    cursor: progress;
  }
  @keyframes pop {
    50% {
      transform: scale(1.03);
    }
  }
  .notice,
  .empty {
    padding: 12px;
    border-inline-start: 4px solid var(--_primary);
    border-radius: 4px;
    background: var(--_tint);
  }
  /* At the end of the card, stuck to the bottom of the screen: never moves the doors. */
  .notice {
    border-color: var(--_muted);
    position: sticky;
    bottom: 8px;
    margin: 0;
    border-color: var(--_muted);
    background: var(--_notice-surface);
  }
  @media (prefers-reduced-motion: no-preference) {
    button.unlocked,
    .row.done {
      animation: pop 0.3s ease-out;
    }
  }
`;

import { html, type TemplateResult } from 'lit';
import type { EntranceKind } from '../credentials/types.ts';

/** One outline path per kind of entrance (24 px grid, stroked in the text colour). */
const PATHS: Record<EntranceKind | 'check', string> = {
  guest_room: 'M3 19v-7a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2v7M3 15h18M7 10V7h4v3',
  elevator: 'M5 3h14v18H5zM9 10l3-3 3 3M9 14l3 3 3-3',
  amenity: 'M12 3l2.7 5.6 6.1.9-4.4 4.3 1 6.1L12 17l-5.4 2.9 1-6.1-4.4-4.3 6.1-.9z',
  common_area: 'M6 21V3h12v18M3 21h18M14 12v.5',
  check: 'M5 12.5l4.5 4.5L19 7',
};

/** Decorative: the text beside it always says the same. */
export function icon(name: EntranceKind | 'check'): TemplateResult {
  return html`<svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d=${PATHS[name]} /></svg>`;
}

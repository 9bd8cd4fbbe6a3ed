/**
 * `instant-key/define`, and the script-tag entry (`dist/instant-key.js`): registers
 * `<instant-key>` on import and re-exports the package, so one import or one
 * `<script type="module">` is all a host page needs.
 */
import { defineInstantKey } from './index.ts';

export * from './index.ts';

defineInstantKey();

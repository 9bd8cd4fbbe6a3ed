/** Real input for browser tests. */
import { sendMouse } from '@web/test-runner-commands';

let warmedUp = false;

/**
 * Clicks an empty corner once per page before the first real tap. In CI, the first click a
 * freshly opened test page received sometimes came without a user activation (requestDevice
 * then failed with "Must be handling a user gesture"), always on the page's first tap only.
 */
export async function warmUpInput(): Promise<void> {
  if (warmedUp) return;
  warmedUp = true;
  await sendMouse({ type: 'click', position: [0, 0] });
}

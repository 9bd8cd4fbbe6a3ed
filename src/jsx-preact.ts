/**
 * `instant-key/jsx-preact`: types `<instant-key>` in Preact JSX, where `on<event>` props listen
 * to the element's events as written (`onik-unlock`). Load it once, e.g.
 * `import type {} from 'instant-key/jsx-preact';`.
 */
import type { JSX } from 'preact';
import type { InstantKeyElementJsxProps } from './jsx-props.ts';
import type { InstantKeyElement } from './instant-key.ts';

type InstantKeyPreactProps = JSX.HTMLAttributes<InstantKeyElement> & InstantKeyElementJsxProps;

declare module 'preact' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      'instant-key': InstantKeyPreactProps;
    }
  }
}

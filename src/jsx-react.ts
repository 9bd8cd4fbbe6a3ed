/**
 * `instant-key/jsx-react`: types `<instant-key>` in React 19 JSX. React 19 sets known properties
 * on custom elements and adds `on<event>` props as listeners, so the element's events are typed
 * here as `onik-unlock` and so on. Load it once, e.g. `import type {} from 'instant-key/jsx-react';`.
 */
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { InstantKeyElementJsxProps } from './jsx-props.ts';
import type { InstantKeyElement } from './instant-key.ts';

type InstantKeyReactProps = DetailedHTMLProps<HTMLAttributes<InstantKeyElement>, InstantKeyElement> & InstantKeyElementJsxProps;

declare module 'react' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      'instant-key': InstantKeyReactProps;
    }
  }
}

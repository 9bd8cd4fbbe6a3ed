import type { CredentialsResolver } from './credentials/types.ts';
import type { InstantKeyEventMap } from './events.ts';

/** `<instant-key>`'s own JSX props, shared by the React 19 and Preact typings. */
export interface InstantKeyElementJsxProps {
  token?: string;
  endpoint?: string;
  lang?: string;
  resolver?: CredentialsResolver;
  'onik-credentials'?: (event: InstantKeyEventMap['ik-credentials']) => void;
  'onik-unlock'?: (event: InstantKeyEventMap['ik-unlock']) => void;
  'onik-error'?: (event: InstantKeyEventMap['ik-error']) => void;
  'onik-unsupported'?: (event: InstantKeyEventMap['ik-unsupported']) => void;
}

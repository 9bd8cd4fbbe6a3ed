/**
 * `instant-key/react`: `<InstantKey>`, a React component for `<instant-key>` made with
 * `@lit/react`. It sets `token`, `endpoint` and `resolver` as properties and maps the element's
 * events to typed callbacks (`onIkUnlock`, …). Importing it registers the element.
 *
 * React 19 renders custom elements natively too: `<instant-key onik-unlock={…}>` works with the
 * types from `instant-key/jsx-react`. Use this wrapper for React 18 or for camel-cased callbacks.
 */
import { createComponent, type EventName } from '@lit/react';
import * as React from 'react';
import { InstantKeyElement, TAG_NAME, type InstantKeyEventMap } from './define.ts';

export const InstantKey = createComponent({
  tagName: TAG_NAME,
  elementClass: InstantKeyElement,
  react: React,
  displayName: 'InstantKey',
  events: {
    onIkCredentials: 'ik-credentials' as EventName<InstantKeyEventMap['ik-credentials']>,
    onIkUnlock: 'ik-unlock' as EventName<InstantKeyEventMap['ik-unlock']>,
    onIkError: 'ik-error' as EventName<InstantKeyEventMap['ik-error']>,
    onIkUnsupported: 'ik-unsupported' as EventName<InstantKeyEventMap['ik-unsupported']>,
  },
});

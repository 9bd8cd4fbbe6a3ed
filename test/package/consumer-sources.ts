// The TypeScript files of the fresh consumer project (test/e2e/package-pack.test.ts writes
// them next to consumer/tsconfig.json). Kept as text so the repository's own type check, which
// cannot resolve the not-yet-installed package, does not read them. Each `@ts-expect-error`
// proves a type is precise: tsc fails when the line it covers stops being an error.
export const consumerSources: Record<string, string> = {
  'element.ts': `// Plain DOM: the tag and its events are typed by importing the package.
import { defineInstantKey, InstantKeyElement, type IkErrorCode } from 'instant-key';

defineInstantKey();
const key: InstantKeyElement = document.createElement('instant-key');
key.endpoint = 'https://keys.example';
key.addEventListener('ik-unlock', (event) => {
  const door: string = event.detail.entrance.display_name;
  console.log(door, event.detail.credential_id);
});
key.addEventListener('ik-error', (event) => {
  const code: IkErrorCode = event.detail.code;
  console.log(code);
});
// @ts-expect-error ik-unlock's detail has no \`reason\` (that is ik-unsupported's)
key.addEventListener('ik-unlock', (event) => console.log(event.detail.reason));
const found: InstantKeyElement | null = document.querySelector('instant-key');
console.log(found?.state);
`,
  'react.tsx': `// React 19: <instant-key> in JSX (types from instant-key/jsx-react) and the @lit/react wrapper.
import type {} from 'instant-key/jsx-react';
import { InstantKey } from 'instant-key/react';

export const native = (
  <instant-key endpoint="https://keys.example" onik-unlock={(event) => console.log(event.detail.entrance.display_name)} />
);
// @ts-expect-error the detail of ik-unlock has no \`nope\`
export const wrongDetail = <instant-key onik-unlock={(event) => console.log(event.detail.nope)} />;
export const wrapped = <InstantKey endpoint="https://keys.example" onIkUnlock={(event) => console.log(event.detail.credential_id)} />;
`,
  'preact.tsx': `/** @jsxImportSource preact */
// Preact: <instant-key> in JSX, with types from instant-key/jsx-preact.
import type {} from 'instant-key/jsx-preact';

export const native = <instant-key endpoint="https://keys.example" onik-error={(event) => console.log(event.detail.code)} />;
// @ts-expect-error \`token\` is a string
export const wrongProp = <instant-key token={42} />;
`,
  'testing.ts': `// The QA kit's types from Node code.
import { VirtualLock, type VirtualLockOptions } from 'instant-key/testing';

const options: VirtualLockOptions = { lockId: '3fa2c1d0-0000-4000-8000-000000000001', lockKey: new Uint8Array(32) };
export const lock = new VirtualLock(options);
`,
  // Stands in for @web/test-runner's types: instant-key/testing re-exports the Web Test Runner
  // plugin, so its declarations need them, and that package's dependency tree is not in npm's
  // offline cache. Remove once the plugin has its own entry.
  'wtr-shim.d.ts': `declare module '@web/test-runner' {
  export type TestRunnerPlugin = { name: string; [hook: string]: unknown };
}
`,
};

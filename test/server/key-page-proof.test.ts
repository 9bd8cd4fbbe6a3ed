// The key page inlines the element's device-proof build (dist/instant-key.device-proof.js)
// ahead of its own script, so its early credential request is signed by the element's code;
// the page's CSP hash follows that file when a build replaces it, and the file itself is not
// served. Without it the page still works: the element then makes its own first request.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEVICE_PROOF_FILE } from '../../server-stub/element-files.ts';
import { TestServer } from './helpers.ts';

/** The page's inline scripts, and whether the CSP names each one's hash. */
async function inlineScripts(t: TestServer): Promise<{ code: string; allowed: boolean }[]> {
  const res = await t.request('GET', '/k');
  assert.equal(res.status, 200);
  const csp = res.headers.get('content-security-policy') ?? '';
  return [...(res.body as string).matchAll(/<script>([\s\S]*?)<\/script>/g)].map(([, code]) => ({
    code: code!,
    allowed: csp.includes(`'sha256-${createHash('sha256').update(code!).digest('base64')}'`),
  }));
}

describe('the key page and the device-proof build', () => {
  let t: TestServer;
  let root: string;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'ik-proof-'));
    writeFileSync(join(root, 'instant-key.js'), 'export const built = true;');
    t = await TestServer.start({ elementFile: join(root, 'instant-key.js') });
  });
  after(async () => {
    await t.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('without the file, the page defines DEVICE_PROOF as null (no early request) and stays allowed', async () => {
    const [script, ...more] = await inlineScripts(t);
    assert.equal(more.length, 0);
    assert.ok(script!.allowed);
    assert.match(script!.code, /^const PAGE = \{[^\n]*\};\nconst DEVICE_PROOF = null;\n/);
  });

  test('with it, the built code comes before the page script, and a rebuild changes both the script and its hash', async () => {
    const first = 'const DEVICE_PROOF=(function(){return async()=>"proof-1"})();';
    writeFileSync(join(root, DEVICE_PROOF_FILE), `${first}\n`);
    const [before] = await inlineScripts(t);
    assert.ok(before!.allowed);
    const lines = before!.code.split('\n');
    assert.match(lines[0]!, /^const PAGE = /);
    assert.equal(lines[1], first, 'the build, as written');
    assert.ok(before!.code.indexOf('DEVICE_PROOF({') > before!.code.indexOf(first), 'the page script signs with it');

    // A longer file, so that the change shows even where mtimes are coarse.
    const second = 'const DEVICE_PROOF=(function(){return async()=>"proof-2, a new build"})();';
    writeFileSync(join(root, DEVICE_PROOF_FILE), `${second}\n`);
    const [after] = await inlineScripts(t);
    assert.ok(after!.allowed, 'the CSP names the new hash');
    assert.equal(after!.code.split('\n')[1], second);
    assert.equal(after!.code.includes(first), false);
  });

  test('the file is the page\'s alone: not served as an element file', async () => {
    writeFileSync(join(root, DEVICE_PROOF_FILE), 'const DEVICE_PROOF=null;');
    assert.equal((await t.request('GET', `/${DEVICE_PROOF_FILE}`)).status, 404);
  });
});

// Properties of the admin API's input reading (server-stub/validation.ts) over open-ended
// input: names, unknown parameters, and page cursors a client may forge.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ApiError } from '../../server-stub/errors.ts';
import { readPage } from '../../server-stub/store/pagination.ts';
import { Input } from '../../server-stub/validation.ts';

/** Every Unicode format character (Cf) but ZWNJ and ZWJ, which names may hold. */
const FORMAT_CHARS = Array.from({ length: 0xe0080 }, (_, cp) => cp)
  .filter((cp) => (cp < 0xd800 || cp > 0xdfff) && /\p{Cf}/u.test(String.fromCodePoint(cp)) && cp !== 0x200c && cp !== 0x200d)
  .map((cp) => String.fromCodePoint(cp));

/** Text without control or format characters, as a guest's name may be in any script. */
const plainText = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
  .filter((s) => !/[\p{Cc}\p{Cf}]/u.test(s) && s.trim().length > 0);

/** The validation errors `read` collects, or `null` when the input is accepted. */
function problems(raw: Record<string, unknown>, read: (input: Input) => void): Record<string, unknown> | null {
  const input = new Input(raw);
  read(input);
  try {
    input.done();
    return null;
  } catch (error) {
    assert.ok(error instanceof ApiError && error.status === 400);
    return error.validationErrors as Record<string, unknown>;
  }
}

describe('admin input', () => {
  test('accepts any name without control or format characters, trimmed', () => {
    fc.assert(
      fc.property(plainText, (name) => {
        let read: string | undefined;
        assert.equal(problems({ full_name: name }, (i) => (read = i.string('full_name', { max: 1000 }))), null);
        assert.equal(read, name.trim());
      }),
    );
  });

  test('refuses a name with a format character anywhere, even at its ends', () => {
    assert.ok(FORMAT_CHARS.includes('\u202e') && FORMAT_CHARS.includes('\ufeff') && FORMAT_CHARS.length > 100);
    fc.assert(
      fc.property(plainText, fc.constantFrom(...FORMAT_CHARS), fc.nat(), (name, char, at) => {
        const i = at % (name.length + 1);
        const tainted = name.slice(0, i) + char + name.slice(i);
        assert.ok(problems({ full_name: tainted }, (input) => input.string('full_name', { max: 1000 }))?.['full_name']);
      }),
    );
  });

  test('names every parameter it did not read, and only those', () => {
    // Names an object already has (`valueOf`, `__proto__`) included: a client picks them.
    const key = fc.oneof(
      fc.constantFrom('__proto__', 'constructor', 'valueOf', 'toString', 'hasOwnProperty', '_errors'),
      fc.string({ minLength: 1, maxLength: 12 }).filter((k) => k !== '_strict' && k !== 'full_name'),
    );
    fc.assert(
      fc.property(fc.uniqueArray(key, { maxLength: 5 }), (extra) => {
        // As JSON.parse builds a body: every key an own property, `__proto__` too.
        const raw = JSON.parse(JSON.stringify({ full_name: 'Ada' }).slice(0, -1) + extra.map((k) => `,${JSON.stringify(k)}:1`).join('') + '}') as Record<string, unknown>;
        const found = problems(raw, (i) => i.string('full_name'));
        if (extra.length === 0) return assert.equal(found, null);
        assert.deepEqual(Object.keys(found!).sort(), [...new Set(['_errors', ...extra])].sort());
        assert.deepEqual(found!['_errors'], extra.includes('_errors') ? ['_errors: Unknown parameter'] : []);
      }),
    );
  });

  test('a forged page cursor is refused, never misread', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), fc.base64String({ maxLength: 80 }), fc.json().map((j) => Buffer.from(j).toString('base64url'))), (cursor) => {
        const input = new Input({ page_cursor: cursor });
        const page = readPage(input, '/user_identities/list', {}, 'http://127.0.0.1:1', { limit: 10, max: 100 });
        assert.throws(() => input.done(), (e: unknown) => e instanceof ApiError && e.status === 400);
        assert.equal(page.after, undefined);
      }),
    );
  });
});

/**
 * How guessable an admin API key is. The key guards every guest's data and every door, so a
 * configured key must carry at least {@link MIN_RANDOM_CHARS} characters after `seam_` that no
 * guesser would try first: characters inside a common word (also in leetspeak), a keyboard
 * row, a run or sequence (`aaaa`, `1234`, `dcba`) or a repeat of an earlier stretch do not
 * count. A key of 32 random bytes in base64url (43 characters) passes with room to spare.
 */

/** Random characters required after `seam_`. */
export const MIN_RANDOM_CHARS = 32;

/** Stretches this long or longer count as predictable (shorter ones occur by chance). */
const MIN_PATTERN = 4;

/** Words guessers try first (lowercase, at least {@link MIN_PATTERN} letters). */
const WORDS = [
  'password', 'passwd', 'pass', 'secret', 'admin', 'root', 'seam', 'test', 'demo', 'sample', 'example',
  'default', 'change', 'letmein', 'welcome', 'login', 'master', 'hello', 'dragon', 'monkey', 'shadow',
  'sunshine', 'iloveyou', 'love', 'football', 'baseball', 'princess', 'trust', 'apikey', 'token',
  'instant', 'server', 'staging', 'prod', 'local', 'hotel', 'guest', 'access', 'private', 'public',
  'super', 'user', 'temp', 'dummy', 'foobar', 'qwerty', 'azerty', 'abcd', 'key1', 'live', 'door', 'lock',
];

/** Keyboard rows (and their reverse): any stretch of one counts as a pattern. */
const ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm', 'azertyuiop', 'qwertzuiop', '1qaz2wsx3edc'];

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i' };

/**
 * Why `key` is not strong enough to be the admin API key, or `null` when it is. The reason
 * never quotes the key.
 */
export function apiKeyWeakness(key: string): string | null {
  if (!key.startsWith('seam_')) return 'it must start with seam_';
  const body = key.slice('seam_'.length);
  if (!/^[\x21-\x7e]*$/.test(body)) return 'it must be printable ASCII without spaces';
  const random = randomCharCount(body);
  if (random >= MIN_RANDOM_CHARS) return null;
  return `it needs at least ${MIN_RANDOM_CHARS} random characters after seam_, and has ${random} (words, keyboard rows, runs, sequences and repeats do not count)`;
}

/** The characters of `body` not explained by a word, keyboard row, run, sequence or repeat. */
export function randomCharCount(body: string): number {
  const predictable = new Array<boolean>(body.length).fill(false);
  const mark = (from: number, to: number) => predictable.fill(true, from, to);
  const plain = [...body.toLowerCase()].map((c) => LEET[c] ?? c).join('');
  const lower = body.toLowerCase();

  for (const word of WORDS) {
    for (let at = plain.indexOf(word); at >= 0; at = plain.indexOf(word, at + 1)) mark(at, at + word.length);
  }
  for (const row of ROWS.flatMap((r) => [r, [...r].reverse().join('')])) {
    for (let i = 0; i + MIN_PATTERN <= lower.length; i++) {
      let n = 0;
      while (i + n < lower.length && row.includes(lower.slice(i, i + n + 1))) n++;
      if (n >= MIN_PATTERN) mark(i, i + n);
    }
  }
  // Runs and sequences: a constant step of -1, 0 or +1 between character codes. The first
  // character of one is as random as any; the rest follow from it.
  for (let i = 0; i + 1 < body.length; ) {
    const step = body.charCodeAt(i + 1) - body.charCodeAt(i);
    let end = i + 1;
    if (Math.abs(step) <= 1) while (end + 1 < body.length && body.charCodeAt(end + 1) - body.charCodeAt(end) === step) end++;
    if (Math.abs(step) <= 1 && end - i + 1 >= MIN_PATTERN) mark(i + 1, end + 1);
    i = end;
  }
  // Repeats: a stretch that already occurred earlier (overlapping too, so `abababab` counts).
  for (let i = 1; i + MIN_PATTERN <= body.length; i++) {
    if (body.lastIndexOf(body.slice(i, i + MIN_PATTERN), i - 1) >= 0) mark(i, i + MIN_PATTERN);
  }
  return predictable.filter((p) => !p).length;
}

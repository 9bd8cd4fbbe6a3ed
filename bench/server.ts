/**
 * `npm run bench:server`: load on the credential endpoint (`GET /instant_keys/credentials`)
 * of a real issuance server, next to a bare `node:http` handler answering the same JSON bytes,
 * in the same run, with the same connections and duration. Two paths: 200 (fresh tickets
 * sealed and an `instant_key.used` event committed per request, in group commits) and 304
 * (`If-None-Match` matching: the cheap refresh, still one committed event). Prints req/s, p50/p99 latency and
 * the stub/bare ratio against the target (at least half the bare throughput, p99 under
 * 20 ms at 50 connections), then checks that every answered request is on record.
 *
 * The two targets are measured in alternating rounds (bare, server, bare, server, …) and
 * compared round by round, so that a slow spell of the machine (a neighbour on a shared
 * host) hits both sides of a ratio rather than one; the ratio judged is the median of the
 * rounds' ratios, and all of them are printed to show how steady the comparison was.
 *
 * Every request carries its own DPoP proof of one device key (the endpoint refuses a replayed
 * one), signed before each round so that signing does not load the machine while it is
 * measured; the bare handler gets the same headers.
 *
 * Loopback only; bounded in time (BENCH_ROUNDS rounds, default 5, of BENCH_ROUND_S seconds,
 * default 2, per target and path, after a BENCH_WARMUP_S warm-up each, default 2; the whole
 * run is killed after a hard deadline). Not a test: figures depend on the machine and its load.
 */
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CONNECTIONS = 50;
const ROUNDS = Math.round(positive('BENCH_ROUNDS', 5));
const ROUND_S = positive('BENCH_ROUND_S', 2);
const WARMUP_S = positive('BENCH_WARMUP_S', 2);
const SETTLE_MS = 1500;
const TARGET_RATIO = 0.5;
const TARGET_P99_MS = 20;

const root = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'ik-bench-server-'));
const children: ChildProcess[] = [];

function positive(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

/** Starts `bench/support/targets.ts` in its own process and reads its ready line. */
async function startTarget(args: string[]): Promise<Record<string, string>> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'bench/support/targets.ts'), ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk;
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve(JSON.parse(line) as Record<string, string>);
    });
    child.once('exit', (code) => reject(new Error(`${args[0]} target exited (${code}) before it was ready`)));
  });
}

async function stopTarget(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

interface Measurement {
  rps: number;
  p50: number;
  p99: number;
  /** Answers by status code. */
  statuses: Record<string, number>;
  errors: number;
}

/**
 * DPoP proofs of one device key for the stub's credential endpoint (RFC 9449), one per
 * request, signed ahead of each round; one signed during a round only when the pool runs dry.
 */
class Proofs {
  private readonly key: KeyObject;
  private readonly header: string;
  private readonly ath: string;
  private pool: string[] = [];
  /** The most a round of ROUND_S has used, per target, to size its next pool. */
  private readonly mostUsed = new Map<string, number>();
  signedDuringRounds = 0;

  constructor(
    private readonly htu: string,
    token: string,
  ) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.key = privateKey;
    const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
    this.header = Buffer.from(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } })).toString('base64url');
    this.ath = createHash('sha256').update(token).digest('base64url');
  }

  /** A fresh proof, now. */
  sign(): string {
    const claims = { jti: randomBytes(16).toString('base64url'), htm: 'GET', htu: this.htu, iat: Math.floor(Date.now() / 1000), ath: this.ath };
    const input = `${this.header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return `${input}.${sign('sha256', Buffer.from(input), { key: this.key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
  }

  /** Signs enough proofs for a round of `seconds` on `target`: twice its best rate so far (rounds vary on a shared machine). */
  fill(target: string, seconds: number): void {
    const want = Math.ceil((this.mostUsed.get(target) ?? 40_000) * (seconds / ROUND_S) * 2) + 5000;
    const pool: string[] = [];
    for (let i = 0; i < want; i++) pool.push(this.sign());
    this.pool = pool.reverse();
  }

  next = (): string => {
    const proof = this.pool.pop();
    if (proof !== undefined) return proof;
    this.signedDuringRounds++;
    return this.sign();
  };

  /** Records how many proofs a round of `seconds` on `target` took. */
  used(target: string, count: number, seconds: number): void {
    this.mostUsed.set(target, Math.max(this.mostUsed.get(target) ?? 0, Math.ceil((count * ROUND_S) / seconds)));
  }
}

let proofs: Proofs;

/** One autocannon run: `seconds` of load from {@link CONNECTIONS} connections, a fresh proof per request. */
async function load(url: string, headers: Record<string, string>, seconds: number): Promise<Measurement> {
  const target = `${url} ${headers['if-none-match'] ?? ''}`;
  proofs.fill(target, seconds);
  const result = await autocannon({
    url: `${url}/instant_keys/credentials`,
    connections: CONNECTIONS,
    duration: seconds,
    headers,
    requests: [{ setupRequest: (request) => ({ ...request, headers: { ...request.headers, dpop: proofs.next() } }) }],
  });
  const statuses: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = Number(count);
  const answered = Object.values(statuses).reduce((a, b) => a + b, 0);
  proofs.used(target, answered, seconds);
  return { rps: answered / result.duration, p50: result.latency.p50, p99: result.latency.p99, statuses, errors: result.errors + result.timeouts };
}

/** The median of `values`. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Rounds of one target folded into one row: median req/s and p50, the worst round's p99, all answers. */
function fold(rounds: Measurement[]): Measurement {
  const statuses: Record<string, number> = {};
  for (const m of rounds) for (const [code, n] of Object.entries(m.statuses)) statuses[code] = (statuses[code] ?? 0) + n;
  return {
    rps: median(rounds.map((m) => m.rps)),
    p50: median(rounds.map((m) => m.p50)),
    p99: Math.max(...rounds.map((m) => m.p99)),
    statuses,
    errors: rounds.reduce((n, m) => n + m.errors, 0),
  };
}

/**
 * Waits for a target's work after a round to end: past its one-second disk sync, and until
 * the kernel has written back what the round dirtied (`sync`), which would otherwise run
 * during the next round.
 */
async function settle(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  spawnSync('sync');
}

/** Warms both targets up, then measures them in alternating rounds. */
async function compare(bareUrl: string, stubUrl: string, headers: Record<string, string>): Promise<{ bare: Measurement[]; stub: Measurement[]; warmup: Measurement }> {
  await load(bareUrl, headers, WARMUP_S);
  const warmup = await load(stubUrl, headers, WARMUP_S);
  await settle();
  const bare: Measurement[] = [];
  const stub: Measurement[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    bare.push(await load(bareUrl, headers, ROUND_S));
    stub.push(await load(stubUrl, headers, ROUND_S));
    // The server's deferred work (its disk sync a second after a commit, garbage collection)
    // must not fall into the next bare round.
    await settle();
  }
  return { bare, stub, warmup };
}

const row = (label: string, m: Measurement) =>
  `  ${label.padEnd(22)} ${m.rps.toFixed(0).padStart(8)} req/s (median)   p50 ${String(m.p50).padStart(3)} ms   p99 (worst round) ${String(m.p99).padStart(3)} ms   ${JSON.stringify(m.statuses)}${m.errors ? `   errors ${m.errors}` : ''}`;

async function main(): Promise<number> {
  const dataDir = join(work, 'data');
  const stub = await startTarget(['stub', dataDir]);
  const credentialHeaders = { authorization: `Bearer ${stub['token']}` };
  proofs = new Proofs(`${stub['url']}/instant_keys/credentials`, stub['token']!);

  // The bare handler answers exactly what the stub answers: the same JSON bytes and ETag.
  const sample = await fetch(`${stub['url']}/instant_keys/credentials`, { headers: { ...credentialHeaders, dpop: proofs.sign() } });
  const body = Buffer.from(await sample.arrayBuffer());
  const etag = sample.headers.get('etag');
  if (sample.status !== 200 || !etag) throw new Error(`the stub answered ${sample.status} to the sample request`);
  const bodyFile = join(work, 'credentials.json');
  writeFileSync(bodyFile, body, { mode: 0o600 });
  const bare = await startTarget(['bare', bodyFile, etag]);

  console.log(`Load average (1, 5, 15 min) at the start: ${loadavg().map((l) => l.toFixed(2)).join(', ')} on ${availableParallelism()} CPUs`);
  console.log(
    `Credential endpoint, ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${ROUND_S} s per target after ${WARMUP_S} s warm-up, ` +
      `loopback; ${body.length}-byte answer with ${(JSON.parse(body.toString()) as { credentials: unknown[] }).credentials.length} credentials`,
  );
  let met = true;
  let answeredByStub = 1; // the sample request
  for (const [path, extra, expected] of [
    ['200 (fresh tickets)', {}, '200'],
    ['304 (If-None-Match)', { 'if-none-match': etag }, '304'],
  ] as const) {
    const headers = { ...credentialHeaders, ...extra };
    const rounds = await compare(bare['url']!, stub['url']!, headers);
    for (const m of [rounds.warmup, ...rounds.stub]) answeredByStub += m.statuses[expected] ?? 0;
    const [baseline, server] = [fold(rounds.bare), fold(rounds.stub)];
    // Each server round runs right after its bare round: the median of these paired ratios
    // cancels a slow spell of the machine, which the ratio of the medians does not.
    const ratios = rounds.stub.map((m, i) => m.rps / rounds.bare[i]!.rps);
    const ratio = median(ratios);
    const clean = [baseline, server].every((m) => m.errors === 0 && Object.keys(m.statuses).every((code) => code === expected));
    const ok = clean && ratio >= TARGET_RATIO && server.p99 < TARGET_P99_MS;
    met &&= ok;
    console.log(`\n${path}`);
    console.log(row('bare node:http', baseline));
    console.log(row('issuance server', server));
    console.log(
      `  ratio ${ratio.toFixed(3)} (median of the rounds' ${ratios.map((r) => r.toFixed(2)).join(', ')}; ratio of the medians ${(server.rps / baseline.rps).toFixed(3)}; ` +
        `target >= ${TARGET_RATIO}), server p99 ${server.p99} ms (target < ${TARGET_P99_MS} ms): ` +
        `${ok ? 'met' : clean ? 'MISSED' : `MISSED (unexpected answers or errors)`}`,
    );
  }

  // An answer goes out only after its `instant_key.used` event committed, so the store holds
  // at least one per answer (a few more: requests still in flight when a run stopped counting).
  await stopTarget(children[0]!);
  const db = new Database(join(dataDir, 'instant-key.sqlite'), { readonly: true });
  const recorded = db.prepare("SELECT count(*) FROM events WHERE event_type = 'instant_key.used'").pluck().get() as number;
  db.close();
  const consistent = recorded >= answeredByStub;
  console.log(`\nEvents on record: ${recorded} instant_key.used for ${answeredByStub} answers counted: ${consistent ? 'every answer on record' : 'ANSWERS MISSING FROM THE STORE'}`);
  console.log(`DPoP proofs signed during rounds (pool ran dry): ${proofs.signedDuringRounds}`);
  console.log(`Load average (1, 5, 15 min) at the end: ${loadavg().map((l) => l.toFixed(2)).join(', ')} on ${availableParallelism()} CPUs`);
  return met && consistent ? 0 : 1;
}

// Hard bound on the whole run: startup, per path two warm-ups and two targets' rounds, and
// shutdown, with time to sign each round's proofs.
const deadline = setTimeout(() => {
  console.error('bench:server: deadline exceeded');
  cleanup();
  process.exit(1);
}, (2 * (2 * WARMUP_S + ROUNDS * (2 * ROUND_S + SETTLE_MS / 1000)) + 120) * 1000);
deadline.unref();

function cleanup(): void {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
}

main().then(
  async (code) => {
    await Promise.all(children.map(stopTarget));
    cleanup();
    process.exit(code);
  },
  (err: unknown) => {
    console.error(err);
    cleanup();
    process.exit(1);
  },
);

/**
 * `npm run bench:server`: load on the credential endpoint (`GET /instant_keys/credentials`)
 * of a real issuance server, next to a bare `node:http` handler answering the same JSON bytes,
 * in the same run, with the same connections and duration. Two paths: 200 (fresh tickets
 * sealed and an `instant_key.used` event committed per request, in group commits) and 304
 * (`If-None-Match` matching: the cheap refresh, still one committed event). Prints req/s, p50/p99 latency and
 * the stub/bare ratio against the target (at least half the bare throughput, p99 under
 * 20 ms at 50 connections), then checks that every answered request is on record.
 *
 * Loopback only; bounded in time (BENCH_DURATION_S per measurement, default 10, after a
 * BENCH_WARMUP_S warm-up, default 2; the whole run is killed after a hard deadline).
 * Not a test: figures depend on the machine and its load.
 */
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CONNECTIONS = 50;
const DURATION_S = positive('BENCH_DURATION_S', 10);
const WARMUP_S = positive('BENCH_WARMUP_S', 2);
const DEVICE = 'bench-device';
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

/** One autocannon run: `seconds` of load from {@link CONNECTIONS} connections. */
async function load(url: string, headers: Record<string, string>, seconds: number): Promise<Measurement> {
  const result = await autocannon({
    url: `${url}/instant_keys/credentials`,
    connections: CONNECTIONS,
    duration: seconds,
    headers,
  });
  const statuses: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = Number(count);
  const answered = Object.values(statuses).reduce((a, b) => a + b, 0);
  return { rps: answered / result.duration, p50: result.latency.p50, p99: result.latency.p99, statuses, errors: result.errors + result.timeouts };
}

/** Warms the target up, then measures it. */
async function measure(url: string, headers: Record<string, string>): Promise<{ warmup: Measurement; run: Measurement }> {
  const warmup = await load(url, headers, WARMUP_S);
  return { warmup, run: await load(url, headers, DURATION_S) };
}

const row = (label: string, m: Measurement) =>
  `  ${label.padEnd(22)} ${m.rps.toFixed(0).padStart(8)} req/s   p50 ${String(m.p50).padStart(3)} ms   p99 ${String(m.p99).padStart(3)} ms   ${JSON.stringify(m.statuses)}${m.errors ? `   errors ${m.errors}` : ''}`;

async function main(): Promise<number> {
  const dataDir = join(work, 'data');
  const stub = await startTarget(['stub', dataDir]);
  const credentialHeaders = { authorization: `Bearer ${stub['token']}`, 'instant-key-device': DEVICE };

  // The bare handler answers exactly what the stub answers: the same JSON bytes and ETag.
  const sample = await fetch(`${stub['url']}/instant_keys/credentials`, { headers: credentialHeaders });
  const body = Buffer.from(await sample.arrayBuffer());
  const etag = sample.headers.get('etag');
  if (sample.status !== 200 || !etag) throw new Error(`the stub answered ${sample.status} to the sample request`);
  const bodyFile = join(work, 'credentials.json');
  writeFileSync(bodyFile, body, { mode: 0o600 });
  const bare = await startTarget(['bare', bodyFile, etag]);

  console.log(`Load average (1, 5, 15 min) at the start: ${loadavg().map((l) => l.toFixed(2)).join(', ')} on ${availableParallelism()} CPUs`);
  console.log(
    `Credential endpoint, ${CONNECTIONS} connections, ${DURATION_S} s per run after ${WARMUP_S} s warm-up, ` +
      `loopback; ${body.length}-byte answer with ${(JSON.parse(body.toString()) as { credentials: unknown[] }).credentials.length} credentials`,
  );
  let met = true;
  let answeredByStub = 1; // the sample request
  for (const [path, extra, expected] of [
    ['200 (fresh tickets)', {}, '200'],
    ['304 (If-None-Match)', { 'if-none-match': etag }, '304'],
  ] as const) {
    const headers = { ...credentialHeaders, ...extra };
    const baseline = await measure(bare['url']!, headers);
    const server = await measure(stub['url']!, headers);
    for (const m of [server.warmup, server.run]) answeredByStub += m.statuses[expected] ?? 0;
    const ratio = server.run.rps / baseline.run.rps;
    const clean = [baseline.run, server.run].every((m) => m.errors === 0 && Object.keys(m.statuses).every((code) => code === expected));
    const ok = clean && ratio >= TARGET_RATIO && server.run.p99 < TARGET_P99_MS;
    met &&= ok;
    console.log(`\n${path}`);
    console.log(row('bare node:http', baseline.run));
    console.log(row('issuance server', server.run));
    console.log(
      `  ratio ${ratio.toFixed(2)} (target >= ${TARGET_RATIO}), server p99 ${server.run.p99} ms (target < ${TARGET_P99_MS} ms): ` +
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
  console.log(`Load average (1, 5, 15 min) at the end: ${loadavg().map((l) => l.toFixed(2)).join(', ')} on ${availableParallelism()} CPUs`);
  return met && consistent ? 0 : 1;
}

// Hard bound on the whole run: startup, two warm-ups and two runs per path, and shutdown.
const deadline = setTimeout(() => {
  console.error('bench:server: deadline exceeded');
  cleanup();
  process.exit(1);
}, (4 * (WARMUP_S + DURATION_S) + 60) * 1000);
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

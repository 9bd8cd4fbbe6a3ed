/**
 * `npm run bench:dpop`: what verifying a DPoP proof costs the credential endpoint per request,
 * next to the SHA-256 of the token it already does, in the same run. Three cases: a device seen
 * before (its key imported and cached), a new device each time (import and thumbprint too),
 * and the verifier's parts alone (jose's jwtVerify, the thumbprint). Not a test: figures
 * depend on the machine and its load.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import { calculateJwkThumbprint, importJWK, jwtVerify, type JWK } from 'jose';
import { DpopVerifier } from '../server-stub/dpop.ts';
import { dpopProof } from '../src/credentials/dpop.ts';

const N = Number(process.env['BENCH_N'] ?? 3000);
const TOKEN = `ik_${'A'.repeat(43)}`;
const HTU = 'http://127.0.0.1:8787/instant_keys/credentials';
const ATH = createHash('sha256').update(TOKEN).digest('base64url');
const newKeys = () => crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);

const REPEATS = 3;

/**
 * Microseconds per call of `run` (which takes a fresh input each call: 200 warm-up calls, then
 * REPEATS passes of n), the best pass counting, since a neighbour's load only ever adds time.
 */
async function time(label: string, n: number, run: () => unknown): Promise<number> {
  for (let i = 0; i < 200; i++) await run();
  const passes: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await run();
    passes.push(Number(process.hrtime.bigint() - start) / 1000 / n);
  }
  const best = Math.min(...passes);
  console.log(`  ${label.padEnd(56)} ${best.toFixed(1).padStart(7)} µs   (passes: ${passes.map((p) => p.toFixed(0)).join(', ')})`);
  return best;
}

const now = Date.now();
const device = await newKeys();
const sameDevice: string[] = [];
const PROOFS = N * REPEATS + 200;
for (let i = 0; i < PROOFS; i++) sameDevice.push(await dpopProof(device, { htm: 'GET', htu: HTU, token: TOKEN, now }));
const manyDevices: string[] = [];
for (let i = 0; i < PROOFS; i++) manyDevices.push(await dpopProof(await newKeys(), { htm: 'GET', htu: HTU, token: TOKEN, now }));

console.log(`DPoP proof verification, ${N} proofs per case, one thread (noisy on a shared machine):`);
const baseline = await time('baseline: SHA-256 of the token (done anyway)', N, () => createHash('sha256').update(TOKEN).digest());
const verifier = new DpopVerifier(now - 1000);
let i = 0;
const seen = await time('verify, a device seen before (key cached)', N, () => verifier.verify(sameDevice[i++], { htm: 'GET', htu: [HTU], ath: ATH, now }));
const fresh = new DpopVerifier(now - 1000);
let j = 0;
const first = await time('verify, a new device each time', N, () => fresh.verify(manyDevices[j++], { htm: 'GET', htu: [HTU], ath: ATH, now }));
const jwk = JSON.parse(Buffer.from(sameDevice[0]!.split('.')[0]!, 'base64url').toString()).jwk as JWK;
const key = await importJWK(jwk, 'ES256');
let k = 0;
await time('  of which jose jwtVerify (ES256 signature, claims)', N, () => jwtVerify(sameDevice[k++]!, key, { typ: 'dpop+jwt', algorithms: ['ES256'] }));
await time('  of which the RFC 7638 thumbprint', N, () => calculateJwkThumbprint(jwk));
await time('  of which importing the jwk (new devices only)', N, () => importJWK(jwk, 'ES256'));
const nodeKey = createPublicKey({ key: jwk as never, format: 'jwk' });
const [h, p, sig] = sameDevice[0]!.split('.');
const signed = Buffer.from(`${h}.${p}`);
const signature = Buffer.from(sig!, 'base64url');
await time('for scale: node:crypto ECDSA P-256 verify alone (sync)', N, () => verify('sha256', signed, { key: nodeKey, dsaEncoding: 'ieee-p1363' }, signature));
await time('for scale: WebCrypto ECDSA P-256 verify alone', N, () =>
  crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key as CryptoKey, signature, signed),
);
console.log(`Per request: ${seen.toFixed(0)} µs for a known device (${(seen / baseline).toFixed(0)}× the token hash), ${first.toFixed(0)} µs for a new one.`);
console.log(`At one core, verification alone caps the endpoint at about ${Math.round(1e6 / seen)} requests/s.`);

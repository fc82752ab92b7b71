// `npm run bench`: what clearjwt costs against the hardware limit, per algorithm.
//
// One process, rounds interleaved and shuffled, medians with min/max. Needs --expose-gc
// (the npm script passes it) for the cache memory measurement. Tokens are signed here with
// node:crypto over the openssl-made fixtures/keys/*.pem; the public keys come from
// fixtures/jwks.json. Writes bench-results.json (gitignored).
//
//   (a) floor        crypto.verify alone, synchronous, key pre-imported, signature pre-decoded
//   (b) clearjwt     the full `verify(headers)` path, one call at a time; ratio = floor / clearjwt
//   (c) 8 in flight  throughput of clearjwt vs the floor on libuv's thread pool (callback verify)
//   (d) loop delay   event-loop delay p50/p99 while (c) runs at saturation
//   (e) cache        verified-token cache hits per second, heap per cached entry (three claim shapes)
//   (f) cold path    key import (our SPKI vs Node's JWK import); first verification with
//                    discovery + JWKS fetch from a loopback node:http server
//   (g) DPoP         a DPoP-protected verification (clearjwt/dpop: token + proof + binding +
//                    in-memory replay store) against the plain verify() of the same token
//   (h) stages       the fixed cost per token outside the signature, stage by stage, in CPU
//                    time (process.cpuUsage: a shared machine's waits for a core do not count).
//                    `npm run bench -- --stages` runs only this section.

import {
  constants, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify as cryptoVerify,
  type KeyObject, type VerifyKeyObjectInput,
} from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { getAlgorithm, type AlgorithmSpec, type JwsAlgorithm } from '../src/algorithms.js';
import { createDpopVerifier, createMemoryReplayStore } from '../src/dpop/index.js';
import { extractBearerToken } from '../src/bearer.js';
import { checkClaims, checkScopes } from '../src/claims.js';
import { importJwk } from '../src/jwk.js';
import { decodeCompactJws } from '../src/jws.js';
import { createStaticKeySource } from '../src/key-source.js';
import { MAX_TOKEN_CACHE_TOTAL_LENGTH, readCallOptions, readVerifierOptions } from '../src/options.js';
import { verifySignature } from '../src/signature.js';
import { createVerifier, type Verifier, type VerifierOptions } from '../src/verifier.js';

const ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256', 'PS256', 'EdDSA'] as const satisfies readonly JwsAlgorithm[];
const ROOT = new URL('../', import.meta.url);
const ISSUER = 'https://bench.logto.app/oidc';
const AUDIENCE = 'https://api.bench.example';
const QUICK = process.argv.includes('--quick');
const ROUNDS = QUICK ? 3 : 9; // single-call rounds
const SAMPLE_MS = QUICK ? 15 : 40; // one timed batch
const LOAD_ROUNDS = QUICK ? 2 : 4; // 8-in-flight rounds
const LOAD_MS = QUICK ? 120 : 300;
const IN_FLIGHT = 8;

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc (npm run bench does)');

const jwks = JSON.parse(readFileSync(new URL('fixtures/jwks.json', ROOT), 'utf8')) as { keys: Array<Record<string, unknown>> };
const jwkFor = (alg: string) => jwks.keys.find((key) => key['alg'] === alg)!;

// --- tokens, signed with node:crypto ------------------------------------------------------

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function signToken(alg: AlgorithmSpec, privateKey: KeyObject, kid: string, claims: Record<string, unknown>): string {
  const signingInput = `${b64({ alg: alg.name, typ: 'at+jwt', kid })}.${b64(claims)}`;
  const signature = sign(alg.family === 'EdDSA' ? null : alg.hash, Buffer.from(signingInput), signerInput(alg, privateKey));
  return `${signingInput}.${signature.toString('base64url')}`;
}

function signerInput(alg: AlgorithmSpec, key: KeyObject) {
  if (alg.family === 'ECDSA') return { key, dsaEncoding: 'ieee-p1363' as const };
  if (alg.family === 'RSASSA-PSS') return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.saltLength };
  return key;
}

// Shaped like a Logto access token.
function logtoClaims(jti: string): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    jti, sub: 'u_bench_user', iat: now, exp: now + 3600, scope: 'read:items write:items',
    client_id: 'bench-client', iss: ISSUER, aud: AUDIENCE,
  };
}

interface Case {
  readonly alg: JwsAlgorithm;
  readonly spec: AlgorithmSpec;
  readonly privateKey: KeyObject;
  readonly token: string;
  readonly headers: Record<string, string>;
  /** What crypto.verify needs, prepared once: the floor does no JWS work at all. */
  readonly floor: { hash: string | null; key: KeyObject | VerifyKeyObjectInput; input: Buffer; signature: Buffer };
}

function makeCase(alg: JwsAlgorithm): Case {
  const spec = getAlgorithm(alg)!;
  const privateKey = createPrivateKey(readFileSync(new URL(`fixtures/keys/${alg.toLowerCase()}.pem`, ROOT)));
  const kid = jwkFor(alg)['kid'] as string;
  const token = signToken(spec, privateKey, kid, logtoClaims('bench-1'));
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const publicKey = createPublicKey({ key: jwkFor(alg) as never, format: 'jwk' });
  const rawSignature = Buffer.from(signature, 'base64url');
  const floorKey = spec.family === 'ECDSA' ? { key: publicKey, dsaEncoding: 'ieee-p1363' as const }
    : spec.family === 'RSASSA-PSS' ? { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: spec.saltLength }
      : publicKey;
  const floor = { hash: spec.family === 'EdDSA' ? null : spec.hash, key: floorKey, input: Buffer.from(`${header}.${payload}`), signature: rawSignature };
  if (!cryptoVerify(floor.hash, floor.input, floor.key, floor.signature)) throw new Error(`floor setup failed for ${alg}`);
  return { alg, spec, privateKey, token, headers: { authorization: `Bearer ${token}` }, floor };
}

const cases = ALGORITHMS.map(makeCase);
// cache: false — (a) to (d) measure verification itself; (e) measures the cache.
const baseOptions: VerifierOptions = { issuer: ISSUER, audience: AUDIENCE, jwks, typ: 'at+jwt', cache: false };
const verifier: Verifier = createVerifier(baseOptions);
const CALL = { scopes: ['read:items'] };

// --- measurement helpers ------------------------------------------------------------------

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

function summary(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}
type Summary = ReturnType<typeof summary>;

/** Microseconds per call of a synchronous or awaited operation, over `iterations` calls. */
async function timePerCall(operation: () => unknown, iterations: number, awaited: boolean): Promise<number> {
  const start = performance.now();
  if (awaited) for (let i = 0; i < iterations; i++) await operation();
  else for (let i = 0; i < iterations; i++) operation();
  return ((performance.now() - start) * 1000) / iterations;
}

/** Iterations that take about SAMPLE_MS, found after a warm-up. */
async function calibrate(operation: () => unknown, awaited: boolean): Promise<number> {
  let iterations = 8;
  for (;;) {
    const start = performance.now();
    await timePerCall(operation, iterations, awaited);
    const elapsed = performance.now() - start;
    if (elapsed > SAMPLE_MS / 4) return Math.max(8, Math.round((iterations * SAMPLE_MS) / elapsed));
    iterations *= 4;
  }
}

interface LoadResult { perSecond: number; delayP50Ms: number; delayP99Ms: number }

/**
 * `inFlight` operations at once for `durationMs`; each completion starts the next one from a
 * new macrotask (setImmediate), the way a server receives requests, so the loop keeps turning
 * and its delay can be measured.
 */
function underLoad(start: () => Promise<unknown> | unknown, inFlight: number, durationMs: number): Promise<LoadResult> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  return new Promise((resolve, reject) => {
    let completed = 0;
    let active = inFlight;
    const begin = performance.now();
    const launch = () => {
      if (performance.now() - begin >= durationMs) {
        if (--active === 0) {
          const seconds = (performance.now() - begin) / 1000;
          histogram.disable();
          resolve({
            perSecond: completed / seconds,
            delayP50Ms: histogram.percentile(50) / 1e6,
            delayP99Ms: histogram.percentile(99) / 1e6,
          });
        }
        return;
      }
      Promise.resolve(start()).then(() => { completed++; setImmediate(launch); }, reject);
    };
    histogram.enable();
    for (let i = 0; i < inFlight; i++) setImmediate(launch);
  });
}

const floorSync = (c: Case) => () => cryptoVerify(c.floor.hash, c.floor.input, c.floor.key, c.floor.signature);
const floorPool = (c: Case) => () => new Promise<boolean>((resolve, reject) => {
  cryptoVerify(c.floor.hash, c.floor.input, c.floor.key, c.floor.signature, (error, valid) => (error ? reject(error) : resolve(valid)));
});
const fullPath = (c: Case, verify: Verifier = verifier) => () => verify(c.headers, CALL);

// --- (a)(b) one call at a time, plus the floor on the pool one at a time (hand-off cost) ---

type SingleMode = 'floor' | 'floorPool1' | 'clearjwt';
async function singleCall() {
  const samples = new Map<string, number[]>();
  const jobs: Array<{ c: Case; mode: SingleMode; operation: () => unknown; awaited: boolean; iterations: number }> = [];
  for (const c of cases) {
    for (const [mode, operation, awaited] of [
      ['floor', floorSync(c), false], ['floorPool1', floorPool(c), true], ['clearjwt', fullPath(c), true],
    ] as const) {
      await operation(); // fail loudly before timing
      jobs.push({ c, mode, operation, awaited, iterations: await calibrate(operation, awaited) });
      samples.set(`${c.alg}/${mode}`, []);
    }
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const job of shuffle([...jobs])) {
      samples.get(`${job.c.alg}/${job.mode}`)!.push(await timePerCall(job.operation, job.iterations, job.awaited));
    }
  }
  return samples;
}

// --- (c)(d) 8 in flight -------------------------------------------------------------------

type LoadMode = 'floorSync' | 'floorPool' | 'clearjwt';
async function inFlight() {
  const samples = new Map<string, LoadResult[]>();
  const jobs: Array<{ c: Case; mode: LoadMode; start: () => unknown }> = [];
  for (const c of cases) {
    for (const [mode, start] of [['floorSync', floorSync(c)], ['floorPool', floorPool(c)], ['clearjwt', fullPath(c)]] as const) {
      jobs.push({ c, mode, start });
      samples.set(`${c.alg}/${mode}`, []);
    }
  }
  for (const job of jobs) await underLoad(job.start, IN_FLIGHT, 20); // warm-up
  for (let round = 0; round < LOAD_ROUNDS; round++) {
    for (const job of shuffle([...jobs])) {
      samples.get(`${job.c.alg}/${job.mode}`)!.push(await underLoad(job.start, IN_FLIGHT, LOAD_MS));
    }
  }
  return samples;
}

// --- (e) the verified-token cache -----------------------------------------------------------

async function cacheHits() {
  const c = cases.find((item) => item.alg === 'ES384')!;
  const cached = createVerifier({ ...baseOptions, cache: { max: 1000 } });
  const operation = () => cached(c.headers, CALL);
  await operation();
  const iterations = await calibrate(operation, true);
  const perCallUs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) perCallUs.push(await timePerCall(operation, iterations, true));
  return { hitsPerSecond: summary(perCallUs.map((us) => 1e6 / us)), perCallUs: summary(perCallUs) };
}

// The claims of a cache-memory measurement: Logto-shaped, or grown towards the default
// maxTokenLength (16,384) with long strings, or with thousands of empty objects (what the
// most heap per token character looks like: each `{},` is 4 base64url characters).
type ClaimsShape = 'logto' | 'large, strings' | 'large, empty objects';
const SHAPES: Record<ClaimsShape, (jti: string) => Record<string, unknown>> = {
  logto: logtoClaims,
  'large, strings': (jti) => ({ ...logtoClaims(jti), roles: Array.from({ length: 900 }, (_, i) => `role-${String(i).padStart(4, '0')}`) }),
  'large, empty objects': (jti) => ({ ...logtoClaims(jti), groups: Array.from({ length: 3700 }, () => ({})) }),
};

async function cacheMemory(entries: number, shape: ClaimsShape) {
  // Heap with the cache full minus heap before the tokens existed: what each entry really
  // keeps alive, the token string (its key) included.
  const c = cases.find((item) => item.alg === 'ES256')!;
  const cached = createVerifier({ ...baseOptions, cache: { max: entries, maxTotalLength: MAX_TOKEN_CACHE_TOTAL_LENGTH } });
  gc!(); gc!();
  const before = process.memoryUsage().heapUsed;
  let tokens: string[] | undefined = [];
  for (let i = 0; i < entries; i++) tokens.push(signToken(c.spec, c.privateKey, 'es256-1', SHAPES[shape](`bench-${i}`)));
  const tokenLength = tokens[0]!.length;
  for (const token of tokens) await cached({ authorization: `Bearer ${token}` }, CALL);
  tokens = undefined;
  gc!(); gc!();
  const after = process.memoryUsage().heapUsed;
  // Still full? (a hit on the last token, which an LRU of `entries` must still hold)
  return { shape, entries, tokenLength, bytesPerEntry: (after - before) / entries, keepAlive: cached };
}

// --- (f) cold path ----------------------------------------------------------------------------

async function keyImport() {
  const results: Record<string, { ours: Summary; nodeJwk: Summary }> = {};
  for (const alg of ALGORITHMS) {
    const jwk = jwkFor(alg);
    const ours = () => importJwk(jwk);
    const nodeJwk = () => createPublicKey({ key: jwk as never, format: 'jwk' });
    const oursIterations = await calibrate(ours, false);
    const nodeIterations = await calibrate(nodeJwk, false);
    const oursUs: number[] = [];
    const nodeUs: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const which of shuffle(['ours', 'node'])) {
        if (which === 'ours') oursUs.push(await timePerCall(ours, oursIterations, false));
        else nodeUs.push(await timePerCall(nodeJwk, nodeIterations, false));
      }
    }
    results[alg] = { ours: summary(oursUs), nodeJwk: summary(nodeUs) };
  }
  return results;
}

// The first verification of a fresh verifier that has only an issuer: discovery, JWKS fetch
// and import of every key in the set, from a loopback node:http server. Then the second one.
async function coldPath() {
  const server = createServer((request, response) => {
    const body = request.url === '/oidc/.well-known/openid-configuration'
      ? { issuer: coldIssuer, jwks_uri: `${origin}/oidc/jwks` }
      : request.url === '/oidc/jwks' ? jwks : undefined;
    response.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const coldIssuer = `${origin}/oidc`;
  const c = cases.find((item) => item.alg === 'ES384')!;
  const token = signToken(c.spec, c.privateKey, 'es384-1', { ...logtoClaims('cold'), iss: coldIssuer });
  const headers = { authorization: `Bearer ${token}` };
  const firstMs: number[] = [];
  const secondMs: number[] = [];
  for (let round = 0; round < ROUNDS * 2; round++) {
    const fresh = createVerifier({ issuer: coldIssuer, audience: AUDIENCE, typ: 'at+jwt', cache: false });
    let start = performance.now();
    await fresh(headers);
    firstMs.push(performance.now() - start);
    start = performance.now();
    await fresh(headers);
    secondMs.push(performance.now() - start);
  }
  server.close();
  return { keysInSet: jwks.keys.length, firstMs: summary(firstMs), secondMs: summary(secondMs) };
}

// --- (g) DPoP ---------------------------------------------------------------------------------

// Every DPoP call needs a proof never used before (the replay store would refuse it), so the
// proofs are signed up front, outside the timing, with node:crypto.
async function dpopCost() {
  const c = cases.find((item) => item.alg === 'ES256')!;
  const client = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = client.publicKey.export({ format: 'jwk' });
  const jkt = createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).digest('base64url');
  const token = signToken(c.spec, c.privateKey, 'es256-1', { ...logtoClaims('dpop'), cnf: { jkt } });
  const ath = createHash('sha256').update(token).digest('base64url');
  const origin = 'https://api.bench.example';
  const header = b64({ typ: 'dpop+jwt', alg: 'ES256', jwk });
  const iterations = QUICK ? 100 : 300;
  const proofs = Array.from({ length: iterations * (ROUNDS + 1) }, (_, index) => {
    const signingInput = `${header}.${b64({ jti: `bench-${index}`, htm: 'GET', htu: `${origin}/items`, iat: Math.floor(Date.now() / 1000), ath })}`;
    return `${signingInput}.${sign('sha256', Buffer.from(signingInput), { key: client.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
  });
  const dpop = createDpopVerifier(verifier, {
    mode: 'required', publicOrigin: origin, iatWindowSeconds: 600, replayStore: createMemoryReplayStore({ max: proofs.length }),
  });
  let next = 0;
  const dpopCall = () => dpop({ method: 'GET', url: '/items?page=1', headers: { authorization: `DPoP ${token}`, dpop: proofs[next++]! } }, CALL);
  const plainHeaders = { authorization: `Bearer ${token}` };
  const plainCall = () => verifier(plainHeaders, CALL);
  const plainUs: number[] = [];
  const dpopUs: number[] = [];
  await timePerCall(dpopCall, iterations, true); // warm-up, and fail loudly before timing
  await timePerCall(plainCall, iterations, true);
  for (let round = 0; round < ROUNDS; round++) {
    for (const which of shuffle(['plain', 'dpop'])) {
      if (which === 'plain') plainUs.push(await timePerCall(plainCall, iterations, true));
      else dpopUs.push(await timePerCall(dpopCall, iterations, true));
    }
  }
  return { alg: 'ES256 token, ES256 proof', plainUs: summary(plainUs), dpopUs: summary(dpopUs), tokenLength: token.length, proofLength: proofs[0]!.length };
}

const fmt = (value: number, digits = 1) => value.toFixed(digits);

// --- (h) the fixed cost, stage by stage -------------------------------------------------------

/** CPU µs per call, median of rounds, stages interleaved and shuffled. */
async function stageCosts(alg: JwsAlgorithm) {
  const c = cases.find((item) => item.alg === alg)!;
  const { decode, issuers } = readVerifierOptions(baseOptions);
  const { rules } = issuers[0]!;
  const keySource = createStaticKeySource(jwks);
  const decoded = decodeCompactJws(c.token, decode);
  const key = keySource.resolveKey(decoded.header) as ReturnType<typeof importJwk>;
  const { grantedScopes } = checkClaims(decoded.header.typ, decoded.payload, rules, Date.now() / 1000);
  const stages: Record<string, [() => unknown, boolean]> = {
    'call options': [() => readCallOptions(CALL), false],
    'bearer': [() => extractBearerToken(c.headers), false],
    'jws decode + header': [() => decodeCompactJws(c.token, decode), false],
    'key': [() => keySource.resolveKey(decoded.header), false],
    'signature': [() => verifySignature(decoded.algorithm, key, decoded.signingInput, decoded.signature), false],
    'floor': [floorSync(c), false],
    'claims': [() => checkClaims(decoded.header.typ, decoded.payload, rules, Date.now() / 1000), false],
    'scopes': [() => checkScopes(grantedScopes, rules.requiredScopes, CALL.scopes), false],
    'verify()': [fullPath(c), true],
  };
  const samples = new Map<string, number[]>(Object.keys(stages).map((name) => [name, []]));
  const iterations = (name: string) => (name === 'signature' || name === 'floor' || name === 'verify()' ? 2000 : 20_000);
  for (let round = 0; round < ROUNDS * 2; round++) {
    for (const name of shuffle(Object.keys(stages))) {
      const [operation, awaited] = stages[name]!;
      const start = process.cpuUsage();
      if (awaited) for (let i = 0; i < iterations(name); i++) await operation();
      else for (let i = 0; i < iterations(name); i++) operation();
      const used = process.cpuUsage(start);
      samples.get(name)!.push((used.user + used.system) / iterations(name));
    }
  }
  const medians = Object.fromEntries([...samples].map(([name, values]) => [name, summary(values).median]));
  return { alg, medians, fixedUs: medians['verify()']! - medians['floor']! };
}

// --- run and report --------------------------------------------------------------------------

if (process.argv.includes('--stages')) {
  for (const alg of ['RS256', 'ES256'] as const) {
    const { medians, fixedUs } = await stageCosts(alg);
    console.log(`${alg} stages, CPU µs (median of ${ROUNDS * 2} rounds):`);
    for (const [name, us] of Object.entries(medians)) console.log(`  ${name.padEnd(20)} ${fmt(us, 2).padStart(8)}`);
    console.log(`  ${'verify() − floor'.padEnd(20)} ${fmt(fixedUs, 2).padStart(8)}`);
  }
  process.exit(0);
}

const range = (s: Summary, digits = 1) => `${fmt(s.median, digits)} [${fmt(s.min, digits)}–${fmt(s.max, digits)}]`;

const started = performance.now();
const single = await singleCall();
const load = await inFlight();
const hits = await cacheHits();
const memory = [await cacheMemory(10_000, 'logto'), await cacheMemory(QUICK ? 100 : 500, 'large, strings'), await cacheMemory(QUICK ? 100 : 500, 'large, empty objects')];
const imports = await keyImport();
const cold = await coldPath();
const dpop = await dpopCost();
const stages = [await stageCosts('RS256'), await stageCosts('ES256')];

const rows = cases.map((c) => {
  const floor = summary(single.get(`${c.alg}/floor`)!);
  const pool1 = summary(single.get(`${c.alg}/floorPool1`)!);
  const ours = summary(single.get(`${c.alg}/clearjwt`)!);
  const loadOf = (mode: LoadMode) => {
    const results = load.get(`${c.alg}/${mode}`)!;
    return {
      perSecond: summary(results.map((r) => r.perSecond)),
      delayP50Ms: summary(results.map((r) => r.delayP50Ms)),
      delayP99Ms: summary(results.map((r) => r.delayP99Ms)),
    };
  };
  return {
    alg: c.alg, offThread: c.spec.offThread, tokenLength: c.token.length,
    floorUs: floor, floorPool1Us: pool1, clearjwtUs: ours, ratio: floor.median / ours.median,
    load: { floorSync: loadOf('floorSync'), floorPool: loadOf('floorPool'), clearjwt: loadOf('clearjwt') },
  };
});

console.log(`clearjwt bench — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${ROUNDS} rounds${QUICK ? ' (quick)' : ''}\n`);
console.log('one call at a time, µs: median [min–max]; ratio = floor / clearjwt');
console.log('alg    | floor (sync)        | floor, pool (1)     | clearjwt verify()    | ratio | offThread');
for (const row of rows) {
  console.log(`${row.alg.padEnd(6)} | ${range(row.floorUs).padEnd(19)} | ${range(row.floorPool1Us).padEnd(19)} | ${range(row.clearjwtUs).padEnd(20)} | ${fmt(row.ratio, 2).padStart(5)} | ${row.offThread}`);
}
console.log(`\n${IN_FLIGHT} in flight: verifications/s (median) and event-loop delay p50/p99 ms (median of rounds;\nmonitorEventLoopDelay at resolution 1 ms reports the whole timer interval, so an idle loop reads ≈ 1.0)`);
console.log('alg    | floor sync /s | delay p99 | floor pool /s | delay p99 | clearjwt /s | ×sync | delay p50/p99');
for (const row of rows) {
  const { floorSync: s, floorPool: p, clearjwt: o } = row.load;
  console.log(`${row.alg.padEnd(6)} | ${fmt(s.perSecond.median, 0).padStart(13)} | ${fmt(s.delayP99Ms.median, 2).padStart(9)} | ${fmt(p.perSecond.median, 0).padStart(13)} | ${fmt(p.delayP99Ms.median, 2).padStart(9)} | ${fmt(o.perSecond.median, 0).padStart(11)} | ${fmt(o.perSecond.median / s.perSecond.median, 2).padStart(5)} | ${fmt(o.delayP50Ms.median, 2)} / ${fmt(o.delayP99Ms.median, 2)}`);
}
console.log(`\ncache hits (ES384 token, verify(headers, { scopes })): ${fmt(hits.hitsPerSecond.median, 0)}/s [${fmt(hits.hitsPerSecond.min, 0)}–${fmt(hits.hitsPerSecond.max, 0)}], ${fmt(hits.perCallUs.median, 2)} µs/hit`);
for (const m of memory) {
  console.log(`cache memory, ${m.shape}: ${m.entries} entries of ${m.tokenLength}-char tokens, ${fmt(m.bytesPerEntry, 0)} B/entry heap (token string included), ${fmt(m.bytesPerEntry / m.tokenLength, 1)} B per token char`);
}
console.log('\nkey import, µs: ours (JWK → DER SPKI → createPublicKey) vs Node JWK import');
for (const alg of ALGORITHMS) {
  const { ours, nodeJwk } = imports[alg]!;
  console.log(`${alg.padEnd(6)} | ours ${range(ours).padEnd(20)} | node jwk ${range(nodeJwk).padEnd(20)} | ${fmt(nodeJwk.median / ours.median, 1)}×`);
}
console.log(`\ncold path (ES384 token, ${cold.keysInSet}-key set over loopback http): first verification ${range(cold.firstMs, 2)} ms (discovery + JWKS fetch + import), second ${range(cold.secondMs, 3)} ms`);
console.log(`\nDPoP (${dpop.alg}, proof of ${dpop.proofLength} chars, in-memory replay store): plain verify() ${range(dpop.plainUs)} µs, DPoP-protected ${range(dpop.dpopUs)} µs, ${fmt(dpop.dpopUs.median / dpop.plainUs.median, 2)}× (+${fmt(dpop.dpopUs.median - dpop.plainUs.median)} µs)`);
for (const { alg, medians, fixedUs } of stages) {
  console.log(`\n${alg} fixed cost by stage, CPU µs: ${Object.entries(medians).map(([name, us]) => `${name} ${fmt(us, 2)}`).join(', ')}; verify() − floor ${fmt(fixedUs, 2)}`);
}
const seconds = (performance.now() - started) / 1000;
console.log(`\n(${fmt(seconds, 0)} s)`);

// `npm run bench:http` keeps its request-level figures under `http` in the same file.
const resultsFile = new URL('bench-results.json', ROOT);
function previousHttpResults(): unknown {
  try {
    return existsSync(resultsFile) ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as { http?: unknown }).http : undefined;
  } catch {
    return undefined; // not JSON: rewritten whole
  }
}
writeFileSync(resultsFile, `${JSON.stringify({
  date: new Date().toISOString(), node: process.version, openssl: process.versions.openssl,
  cpus: cpus().length, cpu: cpus()[0]?.model, rounds: ROUNDS, inFlight: IN_FLIGHT,
  single: rows, cache: { hits: hits, memory: memory.map(({ shape, entries, tokenLength, bytesPerEntry }) => ({ shape, entries, tokenLength, bytesPerEntry })) },
  keyImport: imports, coldPath: cold, dpop, stages, seconds, http: previousHttpResults(),
}, null, 2)}\n`);

import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runInNewContext } from 'node:vm';
import { AuthError } from '../src/errors.js';
import { MAX_JWKS_KEYS } from '../src/jwks.js';
import type { KeySource } from '../src/key-source.js';
import { MAX_KID_WAITERS } from '../src/remote/cache-policy.js';
import { createRemoteKeySource, type RemoteKeyEvent, type RemoteKeySourceOptions } from '../src/remote/jwks-cache.js';
import { verifyCompactJws } from '../src/verify-jws.js';
import { badFixtureJwk, fixtureJwk, sendJson, signToken, startKeyServer, type KeyServer } from './support/key-server.js';

const MINUTE = 60_000;
const ES256 = fixtureJwk('es256-1');
const ES384 = fixtureJwk('es384-1');

// Every promise this cache creates must be handled, including background failures.
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => { unhandled.push(reason); };
before(() => process.on('unhandledRejection', onUnhandled));
after(() => {
  process.off('unhandledRejection', onUnhandled);
  assert.deepEqual(unhandled, []);
});

let server: KeyServer;
let clock: number;
let events: RemoteKeyEvent[];
let awaited: { type: RemoteKeyEvent['type']; resolve: (event: RemoteKeyEvent) => void }[] = [];
afterEach(() => server.close());

async function setup(jwks: unknown = { keys: [ES256] }, options: RemoteKeySourceOptions = {}): Promise<KeySource> {
  server = await startKeyServer(jwks);
  clock = Date.UTC(2026, 0, 1);
  events = [];
  awaited = [];
  return createRemoteKeySource({ issuer: server.issuer, now: () => clock, onEvent: record, ...options });
}

function record(event: RemoteKeyEvent): void {
  events.push(event);
  const waiting = awaited.filter((entry) => entry.type === event.type);
  awaited = awaited.filter((entry) => entry.type !== event.type);
  for (const { resolve } of waiting) resolve(event);
}

/** The next event of this type: a background refresh has ended when it arrives. */
const nextEvent = (type: RemoteKeyEvent['type']) => new Promise<RemoteKeyEvent>((resolve) => { awaited.push({ type, resolve }); });

const verify = (source: KeySource, token: string) => verifyCompactJws(token, source.resolveKey);
const jwksRequests = () => server.count(server.jwksPath);

async function refused(promise: Promise<unknown>, code: string): Promise<AuthError> {
  const error = await promise.then(() => assert.fail('expected a failure'), (e: unknown) => e);
  assert.ok(error instanceof AuthError, `expected an AuthError, got ${String(error)}`);
  assert.equal(error.code, code);
  return error;
}

test('happy path through discovery: one discovery, one JWKS fetch, then served from memory', async () => {
  const source = await setup();
  await source.ready();
  for (let i = 0; i < 5; i++) {
    const { key } = await verify(source, signToken('ES256', 'es256-1'));
    assert.equal(key.kid, 'es256-1');
  }
  assert.equal(server.count(server.discoveryPath), 1);
  assert.equal(jwksRequests(), 1);
  assert.deepEqual(events.map((event) => event.type), ['discovery', 'fetch']);
  const fetch = events[1]!;
  assert.ok(fetch.type === 'fetch' && fetch.reason === 'initial' && fetch.maxAgeMs === 10 * MINUTE);
  assert.deepEqual(fetch.kids, ['es256-1']);
  assert.equal(fetch.url, `${server.origin}${server.jwksPath}`);
});

test('issuer mismatch fails closed at ready() and on every verification', async () => {
  const source = await setup();
  server.route(server.discoveryPath, (_, response) => sendJson(response, 200, { issuer: 'https://other.example/oidc', jwks_uri: `${server.origin}/oidc/jwks` }));
  await refused(source.ready(), 'auth.discovery_issuer_mismatch');
  const error = await refused(verify(source, signToken('ES256', 'es256-1')), 'auth.discovery_issuer_mismatch');
  assert.equal(error.status, 503);
  assert.equal(jwksRequests(), 0);
});

test('jwksUri skips discovery', async () => {
  await setup();
  const source = createRemoteKeySource({ jwksUri: `${server.origin}${server.jwksPath}`, now: () => clock });
  await verify(source, signToken('ES256', 'es256-1'));
  assert.equal(server.count(server.discoveryPath), 0);
  assert.equal(jwksRequests(), 1);
});

test('a 500 with no keys yet is 503 auth.jwks_unavailable', async () => {
  const source = await setup();
  server.route(server.jwksPath, (_, response) => sendJson(response, 500, {}));
  const error = await refused(source.ready(), 'auth.jwks_unavailable');
  assert.equal(error.status, 503);
  await refused(verify(source, signToken('ES256', 'es256-1')), 'auth.jwks_unavailable');
  const failed = events.find((event) => event.type === 'fetch_failed');
  assert.ok(failed?.type === 'fetch_failed' && failed.code === 'auth.jwks_unavailable' && !failed.servingStale);
});

test('connection refused is 503 auth.jwks_unavailable', async () => {
  await setup();
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as AddressInfo;
  await new Promise((resolve) => closed.close(resolve));
  const source = createRemoteKeySource({ jwksUri: `http://127.0.0.1:${port}/jwks` });
  await refused(source.ready(), 'auth.jwks_unavailable');
});

test('a server that hangs past the timeout is 503 within the timeout', { timeout: 5_000 }, async () => {
  const source = await setup(undefined, { timeoutMs: 300 });
  server.route(server.jwksPath, () => { /* never answers */ });
  const started = performance.now();
  await refused(verify(source, signToken('ES256', 'es256-1')), 'auth.jwks_unavailable');
  assert.ok(performance.now() - started < 1_000);
});

test('headers then a trickled body, with a forced GC during the wait, still times out', { timeout: 5_000 }, async () => {
  const source = await setup(undefined, { timeoutMs: 300 });
  server.route(server.jwksPath, (_, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write('{"keys":[');
    const timer = setInterval(() => response.write(' '), 40);
    response.on('close', () => clearInterval(timer));
  });
  const gcTimer = setInterval(() => global.gc!(), 50);
  try {
    const started = performance.now();
    await refused(source.ready(), 'auth.jwks_unavailable');
    assert.ok(performance.now() - started < 1_000);
  } finally {
    clearInterval(gcTimer);
  }
});

test('a key set larger than the cap is 503 auth.jwks_invalid', async () => {
  const source = await setup(undefined, { maxResponseBytes: 4096 });
  server.jwks = { keys: Array.from({ length: 40 }, () => ES256) };
  await refused(source.ready(), 'auth.jwks_invalid');
});

test('a key set that is not JSON, or not {keys:[...]}, is 503 auth.jwks_invalid', async () => {
  for (const body of ['{"keys":[', '[]', '{}', '{"keys":{}}', '{"keys":"x"}']) {
    const source = await setup();
    server.route(server.jwksPath, (_, response) => response.writeHead(200).end(body));
    const error = await refused(source.ready(), 'auth.jwks_invalid');
    assert.equal(error.status, 503, body);
    await server.close();
  }
  server = await startKeyServer({ keys: [] }); // for afterEach
});

test('unusable keys are skipped and reported; the good keys still verify', async () => {
  const unusable = [
    badFixtureJwk('rsa-1024'), badFixtureJwk('ec-private'), badFixtureJwk('ec-offcurve'),
    { kty: 'XYZ', kid: 'unknown-kty' }, { kty: 'oct', k: 'c2VjcmV0', kid: 'symmetric' },
  ];
  const source = await setup({ keys: [unusable[0], ES256, ...unusable.slice(1), ES384] });
  await verify(source, signToken('ES256', 'es256-1'));
  await verify(source, signToken('ES384', 'es384-1'));
  const skipped = events.flatMap((event) => (event.type === 'key_skipped' ? [[event.index, event.code]] : []));
  assert.deepEqual(skipped, [
    [0, 'auth.jwk_rsa_too_small'], [2, 'auth.jwk_private_key'], [3, 'auth.jwk_invalid'],
    [4, 'auth.jwk_unsupported'], [5, 'auth.jwk_private_key'],
  ]);
  const kids = events.flatMap((event) => (event.type === 'key_skipped' ? [event.kid] : []));
  assert.equal(kids.length, 5);
  assert.ok(kids.includes('unknown-kty') && kids.includes('symmetric'));
});

test('rotation: a new kid right after load refetches at once; after removal the old key is refused', async () => {
  const source = await setup();
  const { key: oldKey } = await verify(source, signToken('ES256', 'es256-1'));
  assert.equal(source.isCurrent(oldKey), true);

  server.jwks = { keys: [ES256, ES384] }; // the issuer adds a key one second after we loaded
  clock += 1_000;
  const { key: newKey } = await verify(source, signToken('ES384', 'es384-1'));
  assert.equal(jwksRequests(), 2);
  assert.equal(source.isCurrent(oldKey), true, 'an unchanged key keeps its identity across refreshes');

  server.jwks = { keys: [ES384] }; // and later removes the old one
  clock += 10 * MINUTE;
  const refreshed = nextEvent('refresh');
  await verify(source, signToken('ES256', 'es256-1')); // the held set, while it refreshes (RFC 5861 §3)
  await refreshed;
  await refused(verify(source, signToken('ES256', 'es256-1')), 'auth.jwks_key_not_found');
  assert.equal(jwksRequests(), 3, 'the refresh that dropped the kid is not followed by a fetch for it');
  assert.equal(source.isCurrent(oldKey), false);
  assert.equal(source.isCurrent(newKey), true);
  await verify(source, signToken('ES384', 'es384-1'));
  const refreshes = events.filter((event) => event.type === 'refresh').map((event) => event.type === 'refresh' && event.reason);
  assert.deepEqual(refreshes.slice(0, 2), ['unknown_kid', 'expired']);
});

test('a known kid with an algorithm its key does not allow is auth.jwk_alg_mismatch, with no refetch', async () => {
  const source = await setup();
  await source.ready();
  await refused(verify(source, signToken('ES384', 'es256-1')), 'auth.jwk_alg_mismatch');
  assert.equal(jwksRequests(), 1, 'only an unknown kid may cause a fetch');
  assert.equal(events.some((event) => event.type === 'kid_refetch_suppressed'), false);
});

test('isCurrent turns false once the set is past its max age, so token caches re-verify', async () => {
  const source = await setup();
  const { key } = await verify(source, signToken('ES256', 'es256-1'));
  clock += 10 * MINUTE;
  assert.equal(source.isCurrent(key), false);
  const refreshed = nextEvent('refresh');
  await verify(source, signToken('ES256', 'es256-1')); // starts the refresh
  await refreshed;
  assert.equal(source.isCurrent(key), true);
  assert.equal(jwksRequests(), 2);
});

test('stale-if-error: the last good set is served while the issuer is down, within maxStale', async () => {
  const source = await setup(undefined, { maxStaleMs: 60 * MINUTE });
  const { key } = await verify(source, signToken('ES256', 'es256-1'));
  server.route(server.jwksPath, (request) => request.socket.destroy());

  clock += 10 * MINUTE; // expired: the old set is served; one refresh attempt, which fails
  let failure = nextEvent('fetch_failed');
  await verify(source, signToken('ES256', 'es256-1'));
  const failed = await failure;
  assert.equal(jwksRequests(), 2);
  assert.ok(failed?.type === 'fetch_failed' && failed.servingStale && failed.reason === 'expired' && failed.retryInMs === 1_000);
  assert.equal(source.isCurrent(key), true, 'still trusted while served stale');

  for (let i = 0; i < 50; i++) await verify(source, signToken('ES256', 'es256-1')); // backing off: no requests
  assert.equal(jwksRequests(), 2);
  clock += 1_000; // retry, fail again, back off 2 s
  failure = nextEvent('fetch_failed');
  await verify(source, signToken('ES256', 'es256-1'));
  await failure;
  assert.equal(jwksRequests(), 3);
  clock += 1_000;
  await verify(source, signToken('ES256', 'es256-1'));
  assert.equal(jwksRequests(), 3);

  clock += 60 * MINUTE; // past maxStale: no keys any more
  await refused(verify(source, signToken('ES256', 'es256-1')), 'auth.jwks_unavailable');
  assert.equal(source.isCurrent(key), false);

  server.route(server.jwksPath, undefined); // the issuer comes back
  clock += 30_000;
  await verify(source, signToken('ES256', 'es256-1'));
});

test('with no keys, failures back off too: ready() again at once does not refetch', async () => {
  const source = await setup();
  server.route(server.jwksPath, (_, response) => sendJson(response, 503, {}));
  await refused(source.ready(), 'auth.jwks_unavailable');
  await refused(source.ready(), 'auth.jwks_unavailable');
  assert.equal(jwksRequests(), 1);
  clock += 1_000;
  server.route(server.jwksPath, undefined);
  await source.ready();
  assert.equal(jwksRequests(), 2);
});

test('200 concurrent cold verifications share one discovery and one JWKS request', async () => {
  const source = await setup();
  const tokens = Array.from({ length: 200 }, () => signToken('ES256', 'es256-1'));
  await Promise.all(tokens.map((token) => verify(source, token)));
  assert.equal(server.count(server.discoveryPath), 1);
  assert.equal(jwksRequests(), 1);
});

test('1,000 random unknown kids, concurrent then sequential, within one cooldown: at most one extra fetch', async () => {
  const source = await setup();
  await source.ready();
  const forged = () => signToken('ES256', randomUUID());

  const results = await Promise.allSettled(Array.from({ length: 1_000 }, () => verify(source, forged())));
  assert.ok(results.every((result) => result.status === 'rejected' && (result.reason as AuthError).code === 'auth.jwks_key_not_found'));
  assert.equal(jwksRequests(), 2);

  for (let i = 0; i < 1_000; i++) {
    clock += 10; // 10 s in all: still inside the 30 s cooldown
    await refused(verify(source, forged()), 'auth.jwks_key_not_found');
  }
  assert.equal(jwksRequests(), 2);
  await verify(source, signToken('ES256', 'es256-1')); // real tokens are unaffected

  clock += 30_000; // the next cooldown allows one more
  await refused(verify(source, forged()), 'auth.jwks_key_not_found');
  await refused(verify(source, forged()), 'auth.jwks_key_not_found');
  assert.equal(jwksRequests(), 3);
});

test('1,000 sequential unknown kids from a cold start: one load, one extra fetch', async () => {
  const source = await setup();
  for (let i = 0; i < 1_000; i++) await refused(verify(source, signToken('ES256', randomUUID())), 'auth.jwks_key_not_found');
  assert.equal(jwksRequests(), 2);
});

test('Cache-Control max-age is honoured within [1 min, maxAgeMs]', async () => {
  const cases: readonly [maxAge: number, freshMs: number][] = [[120, 2 * MINUTE], [5, MINUTE], [0, MINUTE], [86_400, 10 * MINUTE]];
  for (const [maxAge, freshMs] of cases) {
    const source = await setup();
    server.jwksHeaders = { 'cache-control': `public, max-age=${maxAge}` };
    const { key } = await verify(source, signToken('ES256', 'es256-1'));
    clock += freshMs - 1;
    assert.equal(source.isCurrent(key), true, `max-age=${maxAge}: still fresh`);
    clock += 1;
    assert.equal(source.isCurrent(key), false, `max-age=${maxAge}: expired`);
    assert.equal(jwksRequests(), 1);
    await server.close();
  }
  server = await startKeyServer({ keys: [] }); // for afterEach
});

test('an http:// non-loopback issuer or jwksUri is refused at creation, before any request', () => {
  for (const options of [{ issuer: 'http://192.0.2.1/oidc' }, { jwksUri: 'http://192.0.2.1/jwks' }, { issuer: 'https://user:pw@a.example' }]) {
    assert.throws(() => createRemoteKeySource(options), TypeError);
  }
});

test('a loopback discovery document handing out an http:// non-loopback jwks_uri is refused before it is fetched', async () => {
  const source = await setup();
  server.route(server.discoveryPath, (_, response) => sendJson(response, 200, { issuer: server.issuer, jwks_uri: 'http://192.0.2.1/jwks' }));
  const realFetch = globalThis.fetch;
  const fetched: string[] = [];
  globalThis.fetch = (input, init) => { fetched.push(String(input)); return realFetch(input, init); };
  try {
    await refused(source.ready(), 'auth.jwks_uri_insecure');
    assert.deepEqual(fetched, [`${server.issuer}/.well-known/openid-configuration`]);
  } finally {
    globalThis.fetch = realFetch;
  }
});

test('an onEvent that throws or rejects never breaks verification; events never carry tokens', async () => {
  server = await startKeyServer({ keys: [ES256] });
  const seen: RemoteKeyEvent[] = [];
  for (const onEvent of [
    (event: RemoteKeyEvent) => { seen.push(event); throw new Error('logger down'); },
    async (event: RemoteKeyEvent) => { seen.push(event); throw new Error('async logger down'); },
  ]) {
    const source = createRemoteKeySource({ issuer: server.issuer, onEvent });
    const token = signToken('ES256', 'es256-1');
    await verify(source, token);
    await refused(verify(source, signToken('ES256', 'no-such-kid')), 'auth.jwks_key_not_found');
    const logged = JSON.stringify(seen);
    assert.ok(!logged.includes(token.split('.')[2]!) && !logged.includes(token.split('.')[1]!));
  }
  assert.ok(seen.length >= 6);
});

test('an onEvent returning a rejecting thenable or another realm\'s rejected promise leaks no unhandled rejection', async () => {
  server = await startKeyServer({ keys: [ES256] });
  const leaked: unknown[] = [];
  const onLeak = (reason: unknown) => { leaked.push(reason); };
  process.on('unhandledRejection', onLeak);
  try {
    for (const onEvent of [
      () => runInNewContext('Promise.reject(new Error("logger down"))') as unknown,
      () => ({ then: (_: unknown, reject: (reason: unknown) => void) => reject(new Error('logger down')) }),
    ]) {
      const source = createRemoteKeySource({ issuer: server.issuer, onEvent: onEvent as () => void });
      await verify(source, signToken('ES256', 'es256-1'));
    }
    await new Promise((resolve) => setTimeout(resolve, 20)); // unhandledRejection fires after a turn
    assert.deepEqual(leaked, []);
  } finally {
    process.off('unhandledRejection', onLeak);
    unhandled.length = 0; // counted here, not again by the file's after()
  }
});

// The cache's intervals are times from `now()`, the wall clock by default. When it steps back
// (NTP correction, VM resumed from a snapshot), no interval may stretch by the step.
test('clock stepped back 24 h: the set counts as expired, so a rotation is seen at once', async () => {
  const source = await setup({ keys: [ES256, ES384] });
  await source.ready();
  clock += 1_000;
  await refused(verify(source, signToken('ES256', randomUUID())), 'auth.jwks_key_not_found'); // starts the kid cooldown
  assert.equal(jwksRequests(), 2);

  clock -= 24 * 60 * MINUTE;
  server.jwks = { keys: [ES256, { ...ES384, kid: 'es384-2' }] }; // the issuer rotates es384-1 → es384-2
  await verify(source, signToken('ES384', 'es384-2'));
  assert.equal(jwksRequests(), 3);
  // The step back also ended the kid cooldown: one refetch, and a new cooldown from here.
  await refused(verify(source, signToken('ES384', 'es384-1')), 'auth.jwks_key_not_found');
  await refused(verify(source, signToken('ES384', randomUUID())), 'auth.jwks_key_not_found');
  assert.equal(jwksRequests(), 4);
  await verify(source, signToken('ES384', 'es384-2')); // and the new set is fresh again
  assert.equal(jwksRequests(), 4);
});

test('clock stepped back during a retry back-off: the back-off is over', async () => {
  const source = await setup();
  server.route(server.jwksPath, (_, response) => sendJson(response, 503, {}));
  await refused(source.ready(), 'auth.jwks_unavailable');
  server.route(server.jwksPath, undefined);
  clock -= 24 * 60 * MINUTE;
  await source.ready();
  assert.equal(jwksRequests(), 2);
});

test('clock stepped back during the unknown-kid cooldown: the cooldown is over', async () => {
  const source = await setup({ keys: [ES256] });
  await source.ready();
  clock += 20_000;
  server.route(server.jwksPath, (_, response) => sendJson(response, 503, {}));
  await refused(verify(source, signToken('ES384', 'es384-1')), 'auth.jwks_key_not_found'); // refetch fails
  assert.equal(jwksRequests(), 2);

  server.route(server.jwksPath, undefined);
  server.jwks = { keys: [ES256, ES384] };
  clock -= 10_000; // still after the set was fetched, so it is fresh; before the refetch
  await verify(source, signToken('ES384', 'es384-1'));
  assert.equal(jwksRequests(), 3);
});

test(`a set of more than ${MAX_JWKS_KEYS} keys is 503 auth.jwks_invalid; a loaded set keeps being served`, async () => {
  const tooMany = { keys: Array.from({ length: MAX_JWKS_KEYS + 1 }, (_, index) => ({ ...ES256, kid: `k${index}` })) };
  const cold = await setup(tooMany);
  const error = await refused(cold.ready(), 'auth.jwks_invalid');
  assert.equal(error.status, 503);
  await server.close();

  const source = await setup();
  const { key } = await verify(source, signToken('ES256', 'es256-1'));
  server.jwks = tooMany;
  clock += 10 * MINUTE;
  const failure = nextEvent('fetch_failed');
  await verify(source, signToken('ES256', 'es256-1')); // stale-if-error
  const failed = await failure;
  assert.equal(jwksRequests(), 2);
  assert.ok(failed?.type === 'fetch_failed' && failed.code === 'auth.jwks_invalid' && failed.servingStale);
  assert.equal(source.isCurrent(key), true);
});

test('a refresh keeps the object of a key whose kid, SPKI and algorithms are unchanged, and only that', async () => {
  const ES256_AS_ES384_KID = { ...ES256, kid: 'es384-1' };
  const source = await setup({ keys: [ES256, ES384] });
  const { key: kept } = await verify(source, signToken('ES256', 'es256-1'));
  const { key: replaced } = await verify(source, signToken('ES384', 'es384-1'));
  server.jwks = { keys: [ES384, { ...ES256 }, ES256_AS_ES384_KID] }; // same kid, other key
  clock += 10 * MINUTE;
  let refreshed = nextEvent('refresh');
  await verify(source, signToken('ES256', 'es256-1'));
  await refreshed;
  assert.equal(jwksRequests(), 2);
  assert.equal(source.isCurrent(kept), true);
  assert.equal(source.isCurrent(replaced), true, 'es384-1 with its own key is still there');
  server.jwks = { keys: [ES256_AS_ES384_KID, { ...ES384, kid: 'es384-2' }] };
  clock += 10 * MINUTE;
  refreshed = nextEvent('refresh');
  await verify(source, signToken('ES256', 'es384-1'));
  await refreshed;
  assert.equal(source.isCurrent(kept), false, 'es256-1 left');
  assert.equal(source.isCurrent(replaced), false, 'es384-1 now names another key; the old key moved to another kid');
});

test('a refresh that keeps a kid and its algorithms but publishes another public key replaces the key object', async () => {
  const source = await setup();
  const { key: before } = await verify(source, signToken('ES256', 'es256-1'));
  const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
  server.jwks = { keys: [{ ...otherKey, kid: 'es256-1', use: 'sig', alg: 'ES256' }] };
  clock += 10 * MINUTE;
  const refreshed = nextEvent('refresh');
  await verify(source, signToken('ES256', 'es256-1')); // the held set, while it refreshes
  await refreshed;
  assert.equal(jwksRequests(), 2);
  assert.equal(source.isCurrent(before), false, 'same kid and algorithms, another SPKI: another key');
});

// ---- issue #15: the cache under stress (faults injected by the loopback provider) ----------

test('stale-while-revalidate: with the provider hanging past max age, known kids answer at once; one background refresh', { timeout: 10_000 }, async () => {
  const source = await setup(undefined, { timeoutMs: 1_000 });
  await source.ready();
  const arrived = new Promise<void>((resolve) => server.route(server.jwksPath, () => resolve())); // then hangs
  clock += 10 * MINUTE;
  const failure = nextEvent('fetch_failed');
  const started = performance.now();
  for (let i = 0; i < 20; i++) await verify(source, signToken('ES256', 'es256-1'));
  assert.ok(performance.now() - started < 500, 'answered from the held set, well under the 1 s timeout');
  await arrived;
  for (let i = 0; i < 20; i++) await verify(source, signToken('ES256', 'es256-1'));
  assert.equal(jwksRequests(), 2, 'one background refresh');
  assert.equal(source.snapshot().state, 'stale');
  const failed = await failure; // the background failure is reported, never an unhandled rejection
  assert.ok(failed.type === 'fetch_failed' && failed.reason === 'expired' && failed.servingStale);
  await verify(source, signToken('ES256', 'es256-1'));
});

test('refresh ahead: in the last tenth of max age a request refreshes in the background; the set never expires under traffic', { timeout: 10_000 }, async () => {
  const source = await setup();
  const { key } = await verify(source, signToken('ES256', 'es256-1'));
  clock += 9 * MINUTE - 1;
  await verify(source, signToken('ES256', 'es256-1'));
  assert.equal(jwksRequests(), 1, 'not yet');
  clock += 1;
  const refreshed = nextEvent('refresh');
  await verify(source, signToken('ES256', 'es256-1'));
  const event = await refreshed;
  assert.ok(event.type === 'refresh' && event.reason === 'expiring');
  assert.equal(jwksRequests(), 2);
  assert.equal(server.count(server.discoveryPath), 1, 'discovery once: the jwks_uri is kept');
  clock += MINUTE; // the old set's max age has passed; the refreshed one is fresh
  assert.equal(source.isCurrent(key), true);
  assert.equal(source.snapshot().state, 'fresh');
});

// A token with a made-up kid and a signature that is never checked: the key lookup fails first.
function forgedToken(kid: string): string {
  const header = Buffer.from(JSON.stringify({ alg: 'ES256', kid })).toString('base64url');
  return `${header}.${Buffer.from('{}').toString('base64url')}.${Buffer.alloc(64, 1).toString('base64url')}`;
}

test('20,000 forged kids during a slow refetch: at most MAX_KID_WAITERS wait, the rest are refused at once; heap stays flat', { timeout: 30_000 }, async () => {
  let suppressed = 0;
  const source = await setup(undefined, { onEvent: (event) => { if (event.type === 'kid_refetch_suppressed' && event.reason === 'waiters') suppressed++; } });
  await source.ready();
  let release = () => {};
  const arrived = new Promise<void>((resolve) => server.route(server.jwksPath, (_, response) => {
    release = () => sendJson(response, 200, server.jwks);
    resolve();
  }));
  const outcomes = new Map<string, number>();
  const count = (key: string) => { outcomes.set(key, (outcomes.get(key) ?? 0) + 1); };
  global.gc!();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 20_000; i++) {
    verify(source, forgedToken(randomUUID())).then(() => count('valid'), (error: AuthError) => count(error.code));
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  const { key } = await verify(source, signToken('ES256', 'es256-1')); // valid tokens still answer
  assert.equal(key.kid, 'es256-1');
  global.gc!();
  const grownMiB = (process.memoryUsage().heapUsed - before) / 2 ** 20;
  assert.ok(grownMiB < 10, `heap grew ${grownMiB.toFixed(1)} MiB`);
  assert.equal(outcomes.get('auth.jwks_key_not_found'), 20_000 - MAX_KID_WAITERS, 'refused at once beyond the bound');
  assert.equal(suppressed, 20_000 - MAX_KID_WAITERS);
  await arrived;
  release();
  while ((outcomes.get('auth.jwks_key_not_found') ?? 0) < 20_000) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(jwksRequests(), 2);
  server.route(server.jwksPath, undefined);
});

test('a failed unknown-kid refetch (TCP reset) allows the next try after the 1 s back-off, not the cooldown', { timeout: 10_000 }, async () => {
  const source = await setup();
  await source.ready();
  server.jwks = { keys: [ES256, ES384] }; // rotated in; the first lookup's connection is reset
  server.route(server.jwksPath, (request) => { server.route(server.jwksPath, undefined); request.socket.destroy(); });
  await refused(verify(source, signToken('ES384', 'es384-1')), 'auth.jwks_key_not_found');
  clock += 999;
  await refused(verify(source, signToken('ES384', 'es384-1')), 'auth.jwks_key_not_found');
  const suppressed = events.at(-1);
  assert.deepEqual(suppressed, { type: 'kid_refetch_suppressed', kid: 'es384-1', reason: 'backoff', retryInMs: 1 });
  assert.equal(jwksRequests(), 2);
  clock += 1;
  await verify(source, signToken('ES384', 'es384-1'));
  assert.equal(jwksRequests(), 3);
});

test('a refetch answered without the kid (issuer lags its signer) lets that kid look once more after 1 s; others wait for the cooldown', { timeout: 10_000 }, async () => {
  const source = await setup();
  await source.ready();
  server.route(server.jwksPath, (_, response) => { // answers once without the new key
    server.route(server.jwksPath, undefined);
    sendJson(response, 200, { keys: [ES256] });
  });
  server.jwks = { keys: [ES256, ES384] };
  await refused(verify(source, signToken('ES384', 'es384-1')), 'auth.jwks_key_not_found');
  clock += 999;
  await refused(verify(source, signToken('ES384', 'es384-1')), 'auth.jwks_key_not_found');
  assert.deepEqual(events.at(-1), { type: 'kid_refetch_suppressed', kid: 'es384-1', reason: 'cooldown', retryInMs: 1 });
  await refused(verify(source, signToken('ES384', randomUUID())), 'auth.jwks_key_not_found');
  clock += 1;
  await verify(source, signToken('ES384', 'es384-1'));
  assert.equal(jwksRequests(), 3);
});

test('a flood of one forged kid, or of new ones, costs the provider at most two, or one, requests per cooldown', { timeout: 10_000 }, async () => {
  const source = await setup();
  await source.ready();
  for (let i = 0; i < 600; i++) { // 60 s, one request per 100 ms, the same kid
    await refused(verify(source, forgedToken('forged')), 'auth.jwks_key_not_found');
    clock += 100;
  }
  assert.equal(jwksRequests(), 1 + 2 * 2, 'two per cooldown: the lookup and its one retry');
  const start = jwksRequests();
  for (let i = 0; i < 600; i++) {
    await refused(verify(source, forgedToken(randomUUID())), 'auth.jwks_key_not_found');
    clock += 100;
  }
  assert.equal(jwksRequests() - start, 2, 'one per cooldown');
});

test('a set with no usable key is 503 auth.jwks_no_usable_key: ready() rejects; a good set held is kept', { timeout: 10_000 }, async () => {
  for (const jwks of [{ keys: [] }, { keys: [badFixtureJwk('rsa-1024'), { kty: 'oct', k: 'c2VjcmV0' }] }]) {
    const cold = await setup(jwks);
    const error = await refused(cold.ready(), 'auth.jwks_no_usable_key');
    assert.equal(error.status, 503);
    await refused(verify(cold, signToken('ES256', 'es256-1')), 'auth.jwks_no_usable_key');
    assert.equal(events.filter((event) => event.type === 'key_skipped').length, jwks.keys.length);
    await server.close();
  }
  const source = await setup();
  const { key } = await verify(source, signToken('ES256', 'es256-1'));
  server.jwks = { keys: [] };
  clock += 10 * MINUTE;
  const failure = nextEvent('fetch_failed');
  await verify(source, signToken('ES256', 'es256-1'));
  const failed = await failure;
  assert.ok(failed.type === 'fetch_failed' && failed.code === 'auth.jwks_no_usable_key' && failed.servingStale);
  assert.equal(source.isCurrent(key), true, 'stale-if-error');
  await source.ready();
});

test('Retry-After on 429 and 503 (seconds or HTTP-date) lengthens the back-off within max(cooldownMs, 1 s)', { timeout: 10_000 }, async () => {
  const inSeconds = (seconds: number) => new Date(Date.UTC(2026, 0, 1) + seconds * 1000).toUTCString();
  const rows: [status: number, retryAfter: string, waitMs: number][] = [
    [503, '10', 10_000], [429, '7', 7_000], [503, inSeconds(12), 12_000], [503, '3600', 30_000],
    [500, '10', 1_000], [503, 'soon', 1_000], [429, '0', 1_000],
  ];
  for (const [status, retryAfter, waitMs] of rows) {
    const source = await setup();
    server.route(server.jwksPath, (_, response) => sendJson(response, status, {}, { 'retry-after': retryAfter }));
    await refused(source.ready(), 'auth.jwks_unavailable');
    const failed = events.at(-1);
    assert.ok(failed?.type === 'fetch_failed' && failed.retryInMs === waitMs, `${status} Retry-After: ${retryAfter}`);
    clock += waitMs - 1;
    await refused(source.ready(), 'auth.jwks_unavailable');
    assert.equal(jwksRequests(), 1, `${status} Retry-After: ${retryAfter}: still waiting`);
    server.route(server.jwksPath, undefined);
    clock += 1;
    await source.ready();
    await server.close();
  }
  server = await startKeyServer({ keys: [] }); // for afterEach
});

test('an unreachable discovery document is 503 auth.discovery_invalid, the step that failed', { timeout: 10_000 }, async () => {
  const source = await setup();
  server.route(server.discoveryPath, (_, response) => sendJson(response, 404, {}));
  await refused(source.ready(), 'auth.discovery_invalid');
  server.route(server.discoveryPath, (request) => request.socket.destroy());
  clock += 1_000;
  await refused(source.ready(), 'auth.discovery_invalid');
  assert.equal(jwksRequests(), 0);
});

test('snapshot: empty, fresh, stale, backing off, as plain JSON for a health endpoint', { timeout: 10_000 }, async () => {
  const source = await setup(undefined, { maxStaleMs: 60 * MINUTE });
  assert.deepEqual(source.snapshot(), {
    source: 'remote', state: 'empty', kids: [], fetchedAt: null, refreshAt: null, freshUntil: null, staleUntil: null,
    refreshing: false, failures: 0, lastError: null, retryAt: null, kidCooldownUntil: null,
  });
  const t0 = clock;
  await source.ready();
  assert.deepEqual(JSON.parse(JSON.stringify(source.snapshot())), {
    source: 'remote', state: 'fresh', kids: ['es256-1'], fetchedAt: t0, refreshAt: t0 + 9 * MINUTE, freshUntil: t0 + 10 * MINUTE,
    staleUntil: t0 + 70 * MINUTE, refreshing: false, failures: 0, lastError: null, retryAt: null, kidCooldownUntil: null,
  });
  await refused(verify(source, signToken('ES256', 'nope')), 'auth.jwks_key_not_found');
  assert.equal(source.snapshot().kidCooldownUntil, t0 + 30_000);
  server.route(server.jwksPath, (_, response) => sendJson(response, 503, {}));
  clock += 10 * MINUTE;
  const failure = nextEvent('fetch_failed');
  await verify(source, signToken('ES256', 'es256-1'));
  assert.equal(source.snapshot().refreshing, true);
  await failure;
  const { state, failures, lastError, retryAt } = source.snapshot();
  assert.deepEqual([state, failures, lastError, retryAt], ['backing_off', 1, 'auth.jwks_unavailable', clock + 1_000]);
  clock += 60 * MINUTE;
  assert.equal(source.snapshot().state, 'empty');
});

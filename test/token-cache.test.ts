import assert from 'node:assert/strict';
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { AuthError } from '../src/errors.js';
import { createVerifier, type VerifierOptions } from '../src/verifier.js';
import { fixturePath, readJson } from './support/vectors.js';
import { outcome as codeOf } from './support/outcome.js';

// The verified-token cache through createVerifier, the only way users reach it. Tokens are
// signed here with node:crypto over the openssl-made fixture keys. A hit hands out the very
// object the first verification returned, so `===` tells a hit from a fresh verification.

const ISSUER = 'https://tenant.logto.app/oidc';
const AUDIENCE = 'https://api.example.com';
const T0 = 1_800_000_000; // seconds
const ES256_KEY = createPrivateKey(readFileSync(fixturePath('keys/es256.pem')));

function es256Token(claims: Record<string, unknown>, key: KeyObject = ES256_KEY, kid = 'es256-1'): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode({ alg: 'ES256', typ: 'at+jwt', kid })}.${encode(claims)}`;
  const signature = sign('sha256', Buffer.from(signingInput), { key, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}`;
}

const claimsAt = (iat: number, extra: Record<string, unknown> = {}) => ({
  jti: `t-${iat}-${JSON.stringify(extra)}`, sub: 'user-1', iat, exp: iat + 3600, scope: 'read:items write:items',
  client_id: 'client-1', iss: ISSUER, aud: AUDIENCE, ...extra,
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A clock the test moves; seconds in, milliseconds out, as the verifier expects. */
function clock(seconds: number) {
  const state = { seconds };
  return { state, now: () => state.seconds * 1000 };
}

/** A verifier with the default cache, or with `cache` when given. */
function cachedVerifier(options: Partial<VerifierOptions> & { now: () => number }, cache?: VerifierOptions['cache']) {
  const jwks = readJson(fixturePath('jwks-es256.json'));
  return createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks, ...(cache === undefined ? {} : { cache }), ...options });
}

test('token cache: on by default; true and {} are the default; false turns it off', async () => {
  const { now } = clock(T0 + 10);
  const token = es256Token(claimsAt(T0));
  for (const cache of [undefined, true, {}] as const) {
    const verify = cachedVerifier({ now }, cache);
    const first = await verify(bearer(token));
    assert.equal(await verify(bearer(token)), first, `a repeat is a hit with cache: ${String(cache)}`);
  }
  const uncached = cachedVerifier({ now }, false);
  const first = await uncached(bearer(token));
  const second = await uncached(bearer(token));
  assert.notEqual(second, first, 'cache: false verifies every time');
  assert.deepEqual({ ...second }, { ...first });
  assert.ok(!Object.isFrozen(first), 'without the cache nothing is shared, so nothing is frozen');
});

test('token cache: a hit returns claims equal to an uncached verification, frozen because hits share them', async () => {
  const { now } = clock(T0 + 10);
  const token = es256Token(claimsAt(T0));
  const cached = cachedVerifier({ now });
  const uncached = cachedVerifier({ now }, false);
  const first = await cached(bearer(token));
  const hit = await cached(bearer(token));
  assert.equal(hit, first, 'the second call is a hit');
  assert.deepEqual({ ...hit }, { ...(await uncached(bearer(token))) });
  assert.ok(Object.isFrozen(hit), 'Object.isFrozen(hit)');
  const nested = await cached(bearer(es256Token(claimsAt(T0, { roles: ['admin'], org: { id: 'o1' } }))));
  assert.ok(Object.isFrozen(nested['roles']) && Object.isFrozen(nested['org']), "Object.isFrozen(nested['roles']) && Object.isFrozen(nested['org'])");
});

test('token cache: never served at or past exp; an expired entry is dropped', async () => {
  const { state, now } = clock(T0 + 10);
  const token = es256Token(claimsAt(T0)); // exp = T0 + 3600, default tolerance 5 s
  const verify = cachedVerifier({ now });
  const first = await verify(bearer(token));
  state.seconds = T0 + 3600 + 4.9;
  assert.equal(await verify(bearer(token)), first, 'still a hit inside the tolerance');
  state.seconds = T0 + 3600 + 5;
  assert.equal(await codeOf(verify(bearer(token))), 'auth.jwt_expired');
  // With the clock set back, the token is verified afresh: the expired entry is gone.
  state.seconds = T0 + 10;
  const again = await verify(bearer(token));
  assert.notEqual(again, first);
  assert.deepEqual({ ...again }, { ...first });
});

test('token cache: maxTokenAge and nbf are re-checked on a hit with the same tolerance', async () => {
  const { state, now } = clock(T0 + 10);
  const token = es256Token(claimsAt(T0));
  const verify = cachedVerifier({ now, maxTokenAge: 60, clockTolerance: 2 });
  await verify(bearer(token));
  state.seconds = T0 + 62;
  await verify(bearer(token));
  state.seconds = T0 + 62.5;
  assert.equal(await codeOf(verify(bearer(token))), 'auth.jwt_too_old');

  const notBefore = es256Token(claimsAt(T0 + 90, { nbf: T0 + 100 }));
  state.seconds = T0 + 100;
  const first = await verify(bearer(notBefore));
  state.seconds = T0 + 97.9; // a clock that steps back: the same rule as a fresh verification
  assert.equal(await codeOf(verify(bearer(notBefore))), 'auth.jwt_not_yet_valid');
  state.seconds = T0 + 100;
  assert.notEqual(await verify(bearer(notBefore)), first, 'the entry was dropped');
});

test('token cache: scopes are checked on every hit, and a scope failure keeps the entry', async () => {
  const { now } = clock(T0 + 10);
  const token = es256Token(claimsAt(T0));
  const verify = cachedVerifier({ now, requiredScopes: ['read:items'] });
  const first = await verify(bearer(token), { scopes: ['write:items'] });
  const refused = await verify(bearer(token), { scopes: ['admin'] }).catch((error: unknown) => error);
  assert.ok(refused instanceof AuthError, 'refused instanceof AuthError');
  assert.equal(refused.code, 'auth.insufficient_scope');
  assert.equal(refused.status, 403);
  assert.deepEqual(refused.requiredScopes, ['read:items', 'admin']);
  assert.equal(await verify(bearer(token)), first, 'still cached for routes it may use');

  const narrow = cachedVerifier({ now, requiredScopes: ['admin'] });
  assert.equal(await codeOf(narrow(bearer(token))), 'auth.insufficient_scope');
  assert.equal(await codeOf(narrow(bearer(token))), 'auth.insufficient_scope', 'verifier-wide scopes on a hit too');
});

test('token cache: at most max entries, the least recently used dropped first', async () => {
  const { now } = clock(T0 + 10);
  const [a, b, c] = ['a', 'b', 'c'].map((jti) => es256Token(claimsAt(T0, { jti })));
  const verify = cachedVerifier({ now }, { max: 2 });
  const a1 = await verify(bearer(a!));
  const b1 = await verify(bearer(b!));
  assert.equal(await verify(bearer(a!)), a1); // a is now the most recently used
  const c1 = await verify(bearer(c!)); // drops b
  assert.equal(await verify(bearer(a!)), a1);
  assert.notEqual(await verify(bearer(b!)), b1, 'b was dropped'); // drops c
  assert.notEqual(await verify(bearer(c!)), c1, 'c was dropped');
});

test('token cache: at most maxTotalLength characters of tokens, the least recently used dropped first', async () => {
  const { now } = clock(T0 + 10);
  const [a, b, c] = ['a', 'b', 'c'].map((jti) => es256Token(claimsAt(T0, { jti })));
  const length = a!.length;
  assert.ok(b!.length === length && c!.length === length, 'equal lengths make the budget exact');
  const verify = cachedVerifier({ now }, { maxTotalLength: 3 * length - 1 }); // room for two
  const a1 = await verify(bearer(a!));
  const b1 = await verify(bearer(b!));
  assert.equal(await verify(bearer(a!)), a1); // a is now the most recently used
  await verify(bearer(c!)); // drops b
  assert.equal(await verify(bearer(a!)), a1);
  assert.notEqual(await verify(bearer(b!)), b1, 'b was dropped');

  const tooLong = cachedVerifier({ now }, { maxTotalLength: length - 1 });
  const once = await tooLong(bearer(a!));
  assert.notEqual(await tooLong(bearer(a!)), once, 'a token longer than the whole budget is verified, never stored');
});

test('token cache: two concurrent misses of one token are counted once', async () => {
  const { now } = clock(T0 + 10);
  const [a, b] = ['a', 'b'].map((jti) => es256Token(claimsAt(T0, { jti })));
  const verify = cachedVerifier({ now }, { maxTotalLength: 2 * a!.length }); // room for exactly two
  const both = await Promise.all([verify(bearer(a!)), verify(bearer(a!))]);
  const b1 = await verify(bearer(b!)); // counted twice, a would make room for b by leaving
  assert.ok(both.includes(await verify(bearer(a!))), 'a is still cached');
  assert.equal(await verify(bearer(b!)), b1);
});

test('token cache: failures are not cached', async () => {
  const { state, now } = clock(T0 + 10);
  const verify = cachedVerifier({ now });
  const early = es256Token(claimsAt(T0, { nbf: T0 + 100 }));
  assert.equal(await codeOf(verify(bearer(early))), 'auth.jwt_not_yet_valid');
  state.seconds = T0 + 100;
  assert.equal(await codeOf(verify(bearer(early))), 'valid');

  const token = es256Token(claimsAt(T0));
  const [header, payload] = token.split('.');
  const forged = `${header}.${payload}.${es256Token(claimsAt(T0 + 1)).split('.')[2]}`;
  for (let i = 0; i < 2; i++) assert.equal(await codeOf(verify(bearer(forged))), 'auth.jws_signature_invalid');
  const wrongAudience = es256Token(claimsAt(T0, { aud: 'https://other.example.com' }));
  for (let i = 0; i < 2; i++) assert.equal(await codeOf(verify(bearer(wrongAudience))), 'auth.jwt_audience_mismatch');
});

test('token cache: each verifier has its own; nothing leaks between two', async () => {
  const { now } = clock(T0 + 10);
  const token = es256Token(claimsAt(T0));
  const first = cachedVerifier({ now });
  const second = cachedVerifier({ now });
  const claims = await first(bearer(token));
  assert.notEqual(await second(bearer(token)), claims, 'the second verifier verified for itself');
  const otherAudience = cachedVerifier({ now, audience: 'https://other.example.com' });
  assert.equal(await codeOf(otherAudience(bearer(token))), 'auth.jwt_audience_mismatch');
  const otherIssuer = cachedVerifier({ now, issuer: 'https://other.logto.app/oidc' });
  assert.equal(await codeOf(otherIssuer(bearer(token))), 'auth.jwt_issuer_mismatch');
});

test('token cache: an entry dies when its key leaves the issuer\'s JWK Set (real loopback JWKS server)', async () => {
  let served = readJson(fixturePath('jwks-es256.json'));
  let requests = 0;
  const server = createServer((_request, response) => {
    requests++;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(served));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { state, now } = clock(T0 + 10);
    let refreshed: () => void = () => {};
    const verify = createVerifier({
      issuer: ISSUER, audience: AUDIENCE, now, cache: { max: 10 },
      jwksUri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`,
      jwksCache: { maxAgeMs: 60_000 },
      onEvent: (event) => { if (event.type === 'refresh') refreshed(); },
    });
    const refresh = () => new Promise<void>((resolve) => { refreshed = resolve; });
    const token = es256Token(claimsAt(T0));
    const first = await verify(bearer(token));
    assert.equal(requests, 1);

    // Past the set's max age its keys are not current: the token is verified afresh, with the
    // held set (stale-while-revalidate) while it refreshes in the background; the refreshed
    // set still holds the key, so the new entry is served from then on.
    state.seconds += 61;
    let done = refresh();
    const again = await verify(bearer(token));
    assert.notEqual(again, first);
    await done;
    assert.equal(requests, 2);
    const current = await verify(bearer(token));
    assert.equal(await verify(bearer(token)), current);

    // The issuer rotates the key out; once the set is refreshed, the cached token is refused.
    served = readJson(fixturePath('jwks-eddsa.json'));
    assert.equal(await verify(bearer(token)), current, 'the set we hold is still fresh');
    state.seconds += 61;
    done = refresh();
    await verify(bearer(token)); // the last use of the held set, while it refreshes
    await done;
    assert.equal(await codeOf(verify(bearer(token))), 'auth.jwks_key_not_found');
    assert.equal(await codeOf(verify(bearer(token))), 'auth.jwks_key_not_found');
  } finally {
    server.close();
  }
});

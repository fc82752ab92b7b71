import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthError } from '../src/errors.js';
import { createVerifier, type VerifierOptions } from '../src/verifier.js';
import { fixtureJwk, sendJson, signToken, startKeyServer } from './support/key-server.js';
import { fixturePath, loadManifest, readJson } from './support/vectors.js';
import { assertAllAsExpected, expectCode, outcome } from './support/outcome.js';

// Every JWT-layer case from the openssl fixtures, through the public function users call.
const manifest = loadManifest() as ReturnType<typeof loadManifest> & { now: number; issuer: string; audience: string };
const JWKS = readJson(fixturePath('jwks.json'));
const clockAt = (seconds: number) => () => seconds * 1000;
const BASE: VerifierOptions = { issuer: manifest.issuer, audience: manifest.audience, jwks: JWKS, now: clockAt(manifest.now) };


const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const logtoValid = manifest.cases.find((item) => item.name === 'jwt/logto-valid')!.token;

test('verifier: every JWT-layer fixture case ends as the manifest says', async () => {
  const cases = manifest.cases.filter((item) => item.layer === 'jwt');
  assert.ok(cases.length >= 30, `only ${cases.length} cases`);
  const rows = [];
  for (const item of cases) {
    const verify = createVerifier({ ...BASE, jwks: readJson(fixturePath(item.jwks)), ...(item.options as Partial<VerifierOptions>) });
    rows.push({ name: item.name, expected: item.expect, actual: await outcome(verify(bearer(item.token))) });
  }
  assertAllAsExpected(rows);
});

test('verifier: verify.token runs every check after the header stage on the same fixtures', async () => {
  const rows = [];
  for (const item of manifest.cases.filter((entry) => entry.layer === 'jwt')) {
    const verify = createVerifier({ ...BASE, jwks: readJson(fixturePath(item.jwks)), ...(item.options as Partial<VerifierOptions>) });
    rows.push({ name: item.name, expected: item.expect, actual: await outcome(verify.token(item.token)) });
  }
  assertAllAsExpected(rows);
});

test('verifier: verify.token takes the route\'s scopes, refuses a malformed call, and answers with the realm', async () => {
  const verify = createVerifier({ ...BASE, realm: 'orders', requiredScopes: ['read:profile'] });
  assert.equal((await verify.token(logtoValid)).sub, 'user_123');
  await assert.rejects(verify.token(logtoValid, { scopes: ['admin'] }), (error: unknown) =>
    error instanceof AuthError && error.code === 'auth.insufficient_scope' && error.realm === 'orders'
    && error.wwwAuthenticate.endsWith('scope="read:profile admin"'));
  await expectCode(verify.token(`Bearer ${logtoValid}`), 'auth.base64url_invalid'); // the scheme is the caller's to strip
  await expectCode(verify.token(''), 'auth.jws_malformed');
  await expectCode(verify.token(undefined as unknown as string), 'auth.jws_malformed');
  await assert.rejects(verify.token(logtoValid, { scope: ['admin'] } as never), TypeError);
  await assert.rejects(verify.token(logtoValid, { scopes: 'admin' } as never), TypeError);
});

test('verifier: a misspelt option is refused, never ignored — requiredScope would open the route', () => {
  assert.throws(() => createVerifier({ ...BASE, requiredScope: ['admin'] } as never), {
    name: 'TypeError', message: 'clearjwt: unknown option "requiredScope" (did you mean "requiredScopes"?)',
  });
  assert.throws(() => createVerifier({ ...BASE, cache: { max: 1, ttl: 5 } } as never), { name: 'TypeError', message: /unknown option "cache\.ttl"/ });
});

test('verifier: the JWS-layer fixture cases fail or pass at the same stage through the full path', async () => {
  // Through createVerifier, a valid signature only means "go on to the claims": the JWS
  // fixtures' payload has far-future exp and our issuer/audience, so they must still pass.
  const rows = [];
  for (const item of manifest.cases.filter((entry) => entry.layer === 'jws')) {
    const jwks = readJson(fixturePath(item.jwks)) as { keys: unknown[] };
    if ((item as { keyError?: string }).keyError !== undefined && jwks.keys.length === 1) {
      // A static set whose only key is unusable can never verify anything: refused at boot.
      assert.throws(() => createVerifier({ ...BASE, jwks }), TypeError, item.name);
      continue;
    }
    const verify = createVerifier({ ...BASE, jwks, now: Date.now });
    rows.push({ name: item.name, expected: item.expect, actual: await outcome(verify(bearer(item.token))) });
  }
  assertAllAsExpected(rows);
});

test('verifier: a Logto-shaped token returns its claims, sub being the user id', async () => {
  const verify = createVerifier({ ...BASE, typ: 'at+jwt', requiredScopes: ['read:profile'] });
  const claims = await verify(bearer(logtoValid));
  assert.equal(claims.sub, 'user_123');
  assert.equal(claims.iss, manifest.issuer);
  assert.equal(claims.aud, manifest.audience);
  assert.equal(claims.client_id, 'demo-client');
  assert.equal(typeof claims.jti, 'string');
  assert.match(claims.scope ?? '', /read:profile/);
});

test('verifier: per-call scopes add to requiredScopes and give 403 with the full list', async () => {
  const verify = createVerifier({ ...BASE, requiredScopes: ['read:profile'] });
  await verify(bearer(logtoValid), { scopes: ['write:profile'] });
  const error = await verify(bearer(logtoValid), { scopes: ['admin'] }).catch((caught: unknown) => caught);
  assert.ok(error instanceof AuthError, 'error instanceof AuthError');
  assert.equal(error.status, 403);
  assert.equal(error.wwwAuthenticate, 'Bearer realm="api", error="insufficient_scope", error_description="The token lacks a scope this resource requires.", scope="read:profile admin"');
});

test('verifier: header errors come first, with the guide\'s codes', async () => {
  const verify = createVerifier(BASE);
  assert.equal(await outcome(verify({})), 'auth.authorization_header_missing');
  assert.equal(await outcome(verify(undefined)), 'auth.authorization_header_missing');
  assert.equal(await outcome(verify({ authorization: logtoValid })), 'auth.authorization_token_invalid_format');
  assert.equal(await outcome(verify({ authorization: `Basic ${logtoValid}` })), 'auth.authorization_token_type_not_supported');
  assert.equal(await outcome(verify(new Headers({ Authorization: `Bearer ${logtoValid}` }))), 'valid');
});

test('verifier: the clock hook and tolerance decide expiry', async () => {
  const exp = manifest.now + 3600; // the Logto-shaped token's expiry
  assert.equal(await outcome(createVerifier({ ...BASE, now: clockAt(exp + 4) })(bearer(logtoValid))), 'valid');
  assert.equal(await outcome(createVerifier({ ...BASE, now: clockAt(exp + 5) })(bearer(logtoValid))), 'auth.jwt_expired');
  assert.equal(await outcome(createVerifier({ ...BASE, now: clockAt(exp), clockTolerance: 0 })(bearer(logtoValid))), 'auth.jwt_expired');
  assert.equal(await outcome(createVerifier({ ...BASE, now: clockAt(exp + 60), clockTolerance: 120 })(bearer(logtoValid))), 'valid');
});

test('verifier: maxTokenAge counts from iat', async () => {
  const iat = manifest.now - 60;
  assert.equal(await outcome(createVerifier({ ...BASE, maxTokenAge: 300, now: clockAt(iat + 300) })(bearer(logtoValid))), 'valid');
  assert.equal(await outcome(createVerifier({ ...BASE, maxTokenAge: 300, now: clockAt(iat + 306) })(bearer(logtoValid))), 'auth.jwt_too_old');
});

test('verifier: the algorithm allowlist is enforced before any key is looked at', async () => {
  const verify = createVerifier({ ...BASE, algorithms: ['RS256'] });
  assert.equal(await outcome(verify(bearer(logtoValid))), 'auth.jws_alg_not_allowed');
  assert.equal(await outcome(createVerifier({ ...BASE, algorithms: ['ES384'] })(bearer(logtoValid))), 'valid');
});

test('verifier: maxTokenLength is configurable', async () => {
  assert.equal(await outcome(createVerifier({ ...BASE, maxTokenLength: 100 })(bearer(logtoValid))), 'auth.token_too_large');
});

test('verifier: realm option is carried into every challenge', async () => {
  const verify = createVerifier({ ...BASE, realm: 'orders' });
  const error = await verify({}).catch((caught: unknown) => caught);
  assert.ok(error instanceof AuthError, 'error instanceof AuthError');
  assert.equal(error.wwwAuthenticate, 'Bearer realm="orders"');
});

test('verifier: anything unexpected fails closed as invalid_token, never a TypeError', async () => {
  const verify = createVerifier(BASE);
  const hostile = { get authorization(): string { throw new TypeError('boom'); } };
  const error = await verify(hostile as unknown as Record<string, string>).catch((caught: unknown) => caught);
  assert.ok(error instanceof AuthError, 'error instanceof AuthError');
  assert.equal(error.code, 'auth.verification_failed');
  assert.equal(error.error, 'invalid_token');
});

test('verifier: error messages never echo the token or claim values', async () => {
  const verify = createVerifier({ ...BASE, audience: 'https://other.example' });
  const error = await verify(bearer(logtoValid)).catch((caught: unknown) => caught);
  assert.ok(error instanceof AuthError, 'error instanceof AuthError');
  assert.equal(error.code, 'auth.jwt_audience_mismatch');
  for (const text of [error.message, error.wwwAuthenticate]) {
    assert.ok(!text.includes(logtoValid.slice(0, 20)));
    assert.ok(!text.includes('api.example.com'), "!text.includes('api.example.com')");
    assert.ok(!text.includes('user_123'), "!text.includes('user_123')");
  }
});

test('verifier: bad options throw at createVerifier time', () => {
  const bad: Array<[string, Partial<VerifierOptions> | null]> = [
    ['no options', null],
    ['missing issuer', { issuer: undefined as unknown as string }],
    ['empty issuer', { issuer: '' }],
    ['missing audience', { audience: undefined as unknown as string }],
    ['empty audience string', { audience: '' }],
    ['empty audience array', { audience: [] }],
    ['audience array with a number', { audience: ['a', 1] as unknown as string[] }],
    ['unknown algorithm', { algorithms: ['HS256'] as unknown as VerifierOptions['algorithms'] }],
    ['none algorithm', { algorithms: ['none'] as unknown as VerifierOptions['algorithms'] }],
    ['empty algorithm list', { algorithms: [] }],
    ['negative tolerance', { clockTolerance: -1 }],
    ['NaN tolerance', { clockTolerance: Number.NaN }],
    ['string tolerance', { clockTolerance: '5' as unknown as number }],
    ['negative maxTokenAge', { maxTokenAge: -1 }],
    ['infinite maxTokenAge', { maxTokenAge: Infinity }],
    ['empty typ', { typ: '' }],
    ['scope with a space', { requiredScopes: ['read write'] }],
    ['scopes not an array', { requiredScopes: 'admin' as unknown as string[] }],
    ['zero maxTokenLength', { maxTokenLength: 0 }],
    ['jwks not a set', { jwks: { keys: 'nope' } }],
    ['realm with a line break', { realm: 'a\r\nb' }],
    ['now not a function', { now: 5 as unknown as () => number }],
    ['tolerance beyond 300 s', { clockTolerance: 301 }],
    ['jwks with no usable key', { jwks: { keys: [] } }],
    ['jwks holding only a private key', { jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA', d: 'AA' }] } }],
    ['jwks with jwksCache', { jwksCache: { timeoutMs: 100 } }],
    ['jwks with onEvent', { onEvent: () => {} }],
    ['unknown option', { requiredScope: ['admin'] } as Partial<VerifierOptions>],
    ['unknown jwksCache field', { jwks: undefined, jwksCache: { maxAge: 1 } } as Partial<VerifierOptions>],
    ['cache not { max }', { cache: { max: 0 } }],
  ];
  const accepted = bad.filter(([, override]) => {
    try {
      createVerifier((override === null ? null : { ...BASE, ...override }) as VerifierOptions);
      return true;
    } catch (error) {
      return !(error instanceof TypeError);
    }
  }).map(([name]) => name);
  assert.deepEqual(accepted, []);
});

test('verifier: the default tolerance absorbs ordinary clock skew (iat 2 s ahead is valid)', async () => {
  const token = manifest.cases.find((item) => item.name === 'jwt/iat-future-2s')!.token;
  assert.equal(await outcome(createVerifier(BASE)(bearer(token))), 'valid');
  assert.equal(await outcome(createVerifier({ ...BASE, clockTolerance: 0 })(bearer(token))), 'auth.jwt_iat_in_future');
});

// --- keys found by discovery, through the same public function -----------------------------

test('verifier: with only issuer and audience, keys come from discovery on a real loopback issuer', async () => {
  const server = await startKeyServer({ keys: [fixtureJwk('es384-1')] });
  try {
    const events: string[] = [];
    const verify = createVerifier({ issuer: server.issuer, audience: 'https://api.example.com', onEvent: (event) => events.push(event.type) });
    await verify.ready();
    const now = Math.floor(Date.now() / 1000);
    const token = signToken('ES384', 'es384-1', { sub: 'user_123', iss: server.issuer, aud: 'https://api.example.com', iat: now, exp: now + 60 });
    const claims = await Promise.all(Array.from({ length: 20 }, () => verify(bearer(token))));
    assert.ok(claims.every((item) => item.sub === 'user_123'), "claims.every((item) => item.sub === 'user_123')");
    assert.equal(server.count(server.discoveryPath), 1);
    assert.equal(server.count(server.jwksPath), 1);
    assert.deepEqual(events, ['discovery', 'fetch']);
  } finally {
    await server.close();
  }
});

test('verifier: an unreachable issuer makes ready() reject with a 503, and requests get the same', async () => {
  const server = await startKeyServer({ keys: [] });
  const issuer = server.issuer;
  await server.close();
  const verify = createVerifier({ issuer, audience: 'https://api.example.com', jwksCache: { timeoutMs: 500 } });
  const error = await verify.ready().catch((caught: unknown) => caught);
  assert.ok(error instanceof AuthError, 'error instanceof AuthError');
  assert.equal(error.status, 503);
  assert.equal(error.code, 'auth.discovery_invalid'); // discovery is the step that failed
  const onRequest = await verify(bearer(logtoValid)).catch((caught: unknown) => caught);
  assert.ok(onRequest instanceof AuthError, 'onRequest instanceof AuthError');
  assert.equal(onRequest.status, 503);
});

// A 503's Retry-After says when the key cache will next try (the provider's own Retry-After
// here lengthens the back-off to 7 s); forThisRequest copies it into the per-request error.
test('verifier: a 503 carries the key cache\'s next try as Retry-After', async () => {
  const server = await startKeyServer({ keys: [] });
  server.route(server.jwksPath, (_, response) => sendJson(response, 503, {}, { 'retry-after': '7' }));
  try {
    const verify = createVerifier({ issuer: server.issuer, audience: 'https://api.example.com' });
    for (const attempt of ['the failed fetch', 'during the back-off']) {
      const error = await verify(bearer(logtoValid)).catch((caught: unknown) => caught);
      assert.ok(error instanceof AuthError && error.code === 'auth.jwks_unavailable', attempt);
      assert.equal(error.headers['retry-after'], '7', attempt);
    }
  } finally {
    await server.close();
  }
});

test('verifier: remote options are checked at creation', () => {
  const base = { issuer: 'https://tenant.logto.app/oidc', audience: 'https://api.example.com' };
  assert.throws(() => createVerifier({ ...base, issuer: 'http://tenant.logto.app/oidc' }), TypeError);
  assert.throws(() => createVerifier({ ...base, jwksUri: 'http://example.com/jwks' }), TypeError);
  assert.throws(() => createVerifier({ ...base, jwks: JWKS, jwksUri: 'https://example.com/jwks' }), TypeError);
  assert.throws(() => createVerifier({ ...base, jwksCache: { timeoutMs: -1 } }), TypeError);
  assert.throws(() => createVerifier({ ...base, onEvent: 'log' as unknown as () => void }), TypeError);
  assert.doesNotThrow(() => createVerifier({ ...base, jwksUri: 'http://127.0.0.1:1/jwks' }));
});

test('verifier: a polluted Object.prototype cannot supply a missing exp, aud, scope, alg or kid', async () => {
  const noExp = manifest.cases.find((item) => item.name === 'jwt/exp-missing')!.token;
  const noAud = manifest.cases.find((item) => item.name === 'jwt/aud-missing')!.token;
  const prototype = Object.prototype as Record<string, unknown>;
  const polluted = { exp: manifest.now + 3600, aud: manifest.audience, scope: 'admin', scp: ['admin'], kid: 'es256-1', typ: 'at+jwt' };
  Object.assign(prototype, polluted);
  try {
    assert.equal(await outcome(createVerifier(BASE)(bearer(noExp))), 'auth.jwt_exp_missing');
    assert.equal(await outcome(createVerifier(BASE)(bearer(noAud))), 'auth.jwt_audience_mismatch');
    assert.equal(await outcome(createVerifier({ ...BASE, requiredScopes: ['admin'] })(bearer(logtoValid))), 'auth.insufficient_scope');
  } finally {
    for (const name of Object.keys(polluted)) delete prototype[name];
  }
});

test('verifier: a clock that returns NaN fails closed instead of passing every time check', async () => {
  const expired = manifest.cases.find((item) => item.name === 'jwt/expired')!.token;
  assert.equal(await outcome(createVerifier({ ...BASE, now: () => Number.NaN })(bearer(expired))), 'auth.verification_failed');
});

test('verifier: per-call scopes must be a list of scope tokens: misuse is a TypeError, never a guess', async () => {
  const verify = createVerifier(BASE);
  for (const scopes of ['admin', '', [''], ['read write'], ['a"b'], [1], null]) {
    await assert.rejects(verify(bearer(logtoValid), { scopes: scopes as unknown as string[] }), TypeError, JSON.stringify(scopes));
  }
  assert.equal(await outcome(verify(bearer(logtoValid), { scopes: [] })), 'valid');
});

test('verifier: every failed request gets its own AuthError object', async () => {
  const verify = createVerifier(BASE);
  const [first, second] = await Promise.all([verify({}).catch((error: unknown) => error), verify({}).catch((error: unknown) => error)]);
  assert.ok(first instanceof AuthError && second instanceof AuthError, 'first instanceof AuthError && second instanceof AuthError');
  assert.notEqual(first, second);
});

test('verifier: the per-request error carries the stage\'s detail (headers and verify.token alike)', async () => {
  const verify = createVerifier({ ...BASE, now: clockAt(manifest.now + 10 * 365 * 86400), requiredScopes: ['admin'] });
  for (const run of [() => verify(bearer(logtoValid)), () => verify.token(logtoValid)]) {
    const error = await run().catch((caught: unknown) => caught);
    assert.ok(error instanceof AuthError && error.code === 'auth.jwt_expired', String(error));
    const payload = JSON.parse(Buffer.from(logtoValid.split('.')[1]!, 'base64url').toString()) as { exp: number };
    assert.deepEqual(error.detail, { check: 'exp', exp: payload.exp, now: manifest.now + 10 * 365 * 86400, tolerance: 5 });
  }
  const missing = await createVerifier(BASE)({}).catch((caught: unknown) => caught);
  assert.ok(missing instanceof AuthError, String(missing));
  assert.deepEqual(missing.detail, { check: 'authorization', reason: 'missing' });
  const scope = await createVerifier(BASE)(bearer(logtoValid), { scopes: ['admin'] }).catch((caught: unknown) => caught);
  assert.ok(scope instanceof AuthError && scope.code === 'auth.insufficient_scope', String(scope));
  assert.deepEqual(scope.detail, { check: 'scope', missing: ['admin'], required: ['admin'] });
});

test('verifier: no fixture refusal\'s detail holds the token, a segment of it, or a claim value other than iss, aud, exp, nbf, iat', async () => {
  const LISTED = new Set(['iss', 'aud', 'exp', 'nbf', 'iat']);
  const leaks: string[] = [];
  let checked = 0;
  for (const item of manifest.cases.filter((entry) => entry.expect !== 'valid' && (entry.layer === 'jwt' || entry.layer === 'jws'))) {
    const jwks = readJson(fixturePath(item.jwks)) as { keys: unknown[] };
    let verify;
    try {
      verify = createVerifier({ ...BASE, jwks, ...(item.layer === 'jwt' ? item.options as Partial<VerifierOptions> : { now: Date.now }) });
    } catch {
      continue; // a set with no usable key is refused at boot (tested above)
    }
    const error = await verify(bearer(item.token)).catch((caught: unknown) => caught);
    assert.ok(error instanceof AuthError, item.name);
    checked++;
    const detail = JSON.stringify(error.detail);
    const secrets = item.token.split('.').filter((segment) => segment.length >= 8);
    try {
      const claims = JSON.parse(Buffer.from(item.token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
      for (const [name, value] of Object.entries(claims)) if (!LISTED.has(name)) secrets.push(JSON.stringify(value));
    } catch {
      // not a JSON payload: its segment is already in the list
    }
    for (const secret of [item.token, ...secrets]) if (detail.includes(secret)) leaks.push(`${item.name}: ${secret.slice(0, 30)} in ${detail}`);
  }
  assert.ok(checked >= 60, `refusals checked: ${checked}`);
  assert.deepEqual(leaks, []);
});

test('verifier: a call\'s audience replaces the configured one for that call only, cache or not', async () => {
  for (const cache of [undefined, { max: 10 }]) {
    const verify = createVerifier({ ...BASE, ...(cache === undefined ? {} : { cache }) });
    assert.equal((await verify.token(logtoValid)).sub, 'user_123'); // a cached entry, when the cache is on
    await expectCode(verify.token(logtoValid, { audience: 'urn:logto:organization:x' }), 'auth.jwt_audience_mismatch', `cache ${String(cache?.max)}`);
    await expectCode(verify(bearer(logtoValid), { audience: ['https://other.example'] }), 'auth.jwt_audience_mismatch');
    assert.equal((await verify.token(logtoValid, { audience: ['urn:x', manifest.audience] })).sub, 'user_123');
    assert.equal((await verify.token(logtoValid)).sub, 'user_123');
  }
  await assert.rejects(createVerifier(BASE).token(logtoValid, { audience: [] }), TypeError);
});

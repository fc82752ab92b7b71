import assert from 'node:assert/strict';
import { createPrivateKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { selectIssuer } from '../src/issuers.js';
import { createVerifier, type VerifierOptions } from '../src/verifier.js';
import { fixtureJwk, startKeyServer } from './support/key-server.js';
import { fixturePath, loadManifest, readJson } from './support/vectors.js';
import { assertAllAsExpected, assertCode, expectCode, outcome } from './support/outcome.js';

// Two issuers whose ES384 keys share one kid (es384-1), each with its own audience
// (scripts/gen-fixtures.sh, section d).
const manifest = loadManifest() as ReturnType<typeof loadManifest> & {
  now: number; issuer: string; audience: string; secondIssuer: { issuer: string; audience: string; jwks: string };
};
const FIRST = { issuer: manifest.issuer, audience: manifest.audience, jwks: readJson(fixturePath('jwks-es384.json')) };
const SECOND = { issuer: manifest.secondIssuer.issuer, audience: manifest.secondIssuer.audience, jwks: readJson(fixturePath(manifest.secondIssuer.jwks)) };
const TWO: VerifierOptions = { issuers: [FIRST, SECOND], now: () => manifest.now * 1000 };
const cases = manifest.cases.filter((item) => item.layer === 'issuers');
const fixture = (name: string) => cases.find((item) => item.name === `issuers/${name}`)!.token;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

test('issuers: every fixture case ends as the manifest says, with either issuer listed first, with and without the cache', async () => {
  assert.equal(cases.length, 10, 'the fixture set changed');
  const rows = [];
  for (const [label, options] of [
    ['first, second', TWO], ['second, first', { ...TWO, issuers: [SECOND, FIRST] }], ['cached', { ...TWO, cache: { max: 10 } }],
  ] as const) {
    const verify = createVerifier(options);
    for (const item of cases) rows.push({ name: `${item.name} (${label})`, expected: item.expect, actual: await outcome(verify(bearer(item.token))) });
  }
  assertAllAsExpected(rows);
});

test('issuers: the same kid at two issuers — each key verifies only its own issuer\'s tokens, in both directions', async () => {
  const verify = createVerifier(TWO);
  assert.equal((await verify(bearer(fixture('first-issuer')))).iss, manifest.issuer);
  assert.equal((await verify(bearer(fixture('second-issuer')))).iss, manifest.secondIssuer.issuer);
  await expectCode(verify(bearer(fixture('first-key-claims-second-issuer'))), 'auth.jws_signature_invalid');
  await expectCode(verify(bearer(fixture('second-key-claims-first-issuer'))), 'auth.jws_signature_invalid');
  // One issuer alone checks the signature first (with its own es384-1), then iss.
  await expectCode(createVerifier({ ...FIRST, now: TWO.now }).token(fixture('second-issuer')), 'auth.jws_signature_invalid');
  await expectCode(createVerifier({ ...FIRST, now: TWO.now }).token(fixture('unconfigured-issuer')), 'auth.jwt_issuer_mismatch');
});

test('issuers: remote keys — an unconfigured iss is refused before any request; each issuer fetches its own keys', async () => {
  const first = await startKeyServer({ keys: [{ ...fixtureJwk('es384-1'), kid: 'shared' }] });
  const second = await startKeyServer({ keys: [{ ...(readJson(fixturePath(manifest.secondIssuer.jwks)) as { keys: object[] }).keys[0], kid: 'shared' }] });
  try {
    const verify = createVerifier({ issuers: [{ issuer: first.issuer, audience: 'https://api.a' }, { issuer: second.issuer, audience: 'https://api.b' }] });
    const now = Math.floor(Date.now() / 1000);
    const claims = (iss: string, aud: string) => ({ iss, aud, sub: 'user_123', iat: now, exp: now + 60 });
    await expectCode(verify.token(signEs384('keys/es384.pem', claims('https://stranger.logto.app/oidc', 'https://api.a'))), 'auth.jwt_issuer_mismatch');
    await expectCode(verify.token(signEs384('keys/es384.pem', claims(`${first.issuer}/`, 'https://api.a'))), 'auth.jwt_issuer_mismatch');
    const requests = () => [first, second].map((server) => server.count(server.discoveryPath) + server.count(server.jwksPath));
    assert.deepEqual(requests(), [0, 0], 'no request for a token whose iss is not configured');

    assert.equal((await verify.token(signEs384('keys/es384.pem', claims(first.issuer, 'https://api.a')))).aud, 'https://api.a');
    assert.deepEqual(requests(), [2, 0], 'the first issuer alone was asked');
    await expectCode(verify.token(signEs384('keys/es384.pem', claims(second.issuer, 'https://api.b'))), 'auth.jws_signature_invalid');
    await expectCode(verify.token(signEs384('keys/issuer2-es384.pem', claims(first.issuer, 'https://api.a'))), 'auth.jws_signature_invalid');
    assert.equal((await verify.token(signEs384('keys/issuer2-es384.pem', claims(second.issuer, 'https://api.b')))).aud, 'https://api.b');
    await verify.ready();
  } finally {
    await first.close();
    await second.close();
  }
});

test('issuers: the dispatcher runs the JWS stage first, so malformed tokens keep their own codes', () => {
  const byIssuer = new Map([[manifest.issuer, 'first']]);
  assertCode(() => selectIssuer('a.b', {}, byIssuer), 'auth.jws_malformed');
  assertCode(() => selectIssuer('x'.repeat(20_000), {}, byIssuer), 'auth.token_too_large');
  assertCode(() => selectIssuer(`${Buffer.from('{"alg":"none"}').toString('base64url')}.e30.`, {}, byIssuer), 'auth.jws_alg_not_allowed');
  assert.equal(selectIssuer(fixture('first-issuer'), {}, byIssuer), 'first');
  assertCode(() => selectIssuer(fixture('second-issuer'), {}, byIssuer), 'auth.jwt_issuer_mismatch');
});

test('issuers: refused at creation when mixed with issuer/audience/jwks/jwksUri, empty, repeated or incomplete', () => {
  const bad: Array<[string, VerifierOptions]> = [
    ['mixed issuer', { ...TWO, issuer: manifest.issuer }],
    ['mixed audience', { ...TWO, audience: 'x' }],
    ['mixed jwks', { ...TWO, jwks: FIRST.jwks }],
    ['empty', { issuers: [] }],
    ['repeated', { issuers: [FIRST, { ...SECOND, issuer: FIRST.issuer }] }],
    ['no audience', { issuers: [{ issuer: FIRST.issuer, jwks: FIRST.jwks } as never] }],
    ['no issuer', { issuers: [{ audience: 'x', jwks: FIRST.jwks } as never] }],
    ['jwksUri with jwks', { issuers: [{ ...FIRST, jwksUri: 'https://x.test/jwks' }] }],
    ['jwksCache with only static keys', { ...TWO, jwksCache: { maxAgeMs: 1 } }],
  ];
  const accepted = bad.filter(([, options]) => {
    try {
      createVerifier(options);
      return true;
    } catch (error) {
      return !(error instanceof TypeError);
    }
  }).map(([name]) => name);
  assert.deepEqual(accepted, []);
  assert.throws(() => createVerifier({ issuers: [{ ...FIRST, issuerr: 'x' } as never] }), {
    name: 'TypeError', message: 'clearjwt: unknown option "issuers[0].issuerr" (did you mean "issuers[0].issuer"?)',
  });
});

function signEs384(keyFile: string, claims: object): string {
  const header = Buffer.from(JSON.stringify({ alg: 'ES384', kid: 'shared' })).toString('base64url');
  const signingInput = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const privateKey = createPrivateKey(readFileSync(fixturePath(keyFile)));
  return `${signingInput}.${sign('sha384', Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

test('issuers: keyCache() reports the first issuer\'s keys, keyCache(issuer) each one\'s; an unknown issuer is a TypeError', () => {
  const verify = createVerifier({ issuers: [{ ...FIRST, jwks: readJson(fixturePath('jwks.json')) }, SECOND] });
  assert.equal(verify.keyCache().kids.length, 10);
  assert.equal(verify.keyCache(manifest.issuer).kids.length, 10);
  assert.deepEqual(verify.keyCache(manifest.secondIssuer.issuer).kids, ['es384-1']);
  assert.throws(() => verify.keyCache('https://stranger.logto.app/oidc'), TypeError);
});

// createDpopVerifier end to end: a real core verifier (static openssl key set) behind the
// leaf, tokens and proofs signed with node:crypto. The RFC 9449 example, the negative table
// (every case with its exact code), modes, challenges, nonces and the replay store's failures.

import assert from 'node:assert/strict';
import { createHmac, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createDpopVerifier, type DpopVerifierOptions, type DpopRequest } from '../src/dpop/index.js';
import { AuthError, type AuthErrorCode } from '../src/errors.js';
import { createVerifier } from '../src/verifier.js';
import { athOf, clientKey, makeProof, rfc9449Example, signJws, type ProofInput } from './support/dpop.js';
import { badFixtureJwk, fixtureJwk, signToken } from './support/key-server.js';
import { assertAllAsExpected, outcome } from './support/outcome.js';
import { FIXTURES_DIR } from './support/vectors.js';

const ISSUER = 'https://issuer.example.com/oidc';
const AUDIENCE = 'https://api.example.com';
const ORIGIN = 'https://api.example.com';
const URL_ = `${ORIGIN}/resource`;
const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [fixtureJwk('es256-1')] } });
const client = clientKey('ES256');
const otherClient = clientKey('ES256');

const nowSeconds = () => Math.floor(Date.now() / 1000);
function accessToken(claims: Record<string, unknown> = {}): string {
  return signToken('ES256', 'es256-1', { iss: ISSUER, aud: AUDIENCE, sub: 'user_1', exp: nowSeconds() + 600, cnf: { jkt: client.jkt }, ...claims });
}
const boundToken = accessToken();

function dpopRequest(proof: string | string[] | undefined, token = boundToken, extra: Partial<DpopRequest> = {}): DpopRequest {
  const headers: Record<string, string | string[]> = { authorization: `DPoP ${token}` };
  if (proof !== undefined) headers['dpop'] = proof;
  return { method: 'GET', url: '/resource?page=2', headers, ...extra };
}
const proofFor = (input: Partial<ProofInput> = {}) => makeProof({ key: client, url: URL_, accessToken: boundToken, ...input });
const dpopVerifier = (options: Partial<DpopVerifierOptions> = {}) => createDpopVerifier(verify, { mode: 'allowed', publicOrigin: ORIGIN, ...options });

// ---- the RFC 9449 example ---------------------------------------------------------------

test('dpop verifier: the RFC 9449 §7.1 request verifies at its own clock, bound by the §6.1 thumbprint', async () => {
  const example = rfc9449Example();
  // The RFC's access token is opaque (its claims would come from introspection, §6.2), so a
  // token verifier that knows exactly that token stands in for the core here.
  const introspection = {
    token: async (token: string) => {
      if (token !== example.accessToken) throw new AuthError('auth.jws_malformed');
      return example.accessTokenClaims;
    },
  };
  const url = new URL(example.request.url);
  const verifyRfc = createDpopVerifier(introspection, { mode: 'required', publicOrigin: url.origin, now: () => example.proofIat * 1000 });
  const request = { method: example.request.method, url: url.pathname, headers: { authorization: `DPoP ${example.accessToken}`, dpop: example.proof } };
  const claims = await verifyRfc(request);
  assert.equal(claims.sub, 'someone@example.com');
  // The same proof a second time is a replay (§11.1).
  assert.equal(await outcome(verifyRfc(request)), 'auth.dpop_proof_replayed');
  // One hour later, the proof is stale.
  const later = createDpopVerifier(introspection, { mode: 'required', publicOrigin: url.origin, now: () => (example.proofIat + 3600) * 1000 });
  assert.equal(await outcome(later(request)), 'auth.dpop_proof_iat_out_of_window');
  // A token bound to another key is refused with the same proof.
  const rebound = { token: async () => ({ ...example.accessTokenClaims, cnf: { jkt: otherClient.jkt } }) };
  const verifyRebound = createDpopVerifier(rebound, { mode: 'required', publicOrigin: url.origin, now: () => example.proofIat * 1000 });
  assert.equal(await outcome(verifyRebound(request)), 'auth.dpop_key_binding_mismatch');
});

// ---- valid requests ---------------------------------------------------------------------

test('dpop verifier: a bound token with a fresh proof is accepted; the claims come back', async () => {
  const claims = await dpopVerifier()(dpopRequest(proofFor()));
  assert.equal(claims.sub, 'user_1');
  assert.deepEqual(claims['cnf'], { jkt: client.jkt });
});

test('dpop verifier: proof keys of every family are accepted (ES384, PS256, RS256, EdDSA, Ed25519)', async () => {
  for (const alg of ['ES384', 'PS256', 'EdDSA'] as const) {
    const key = clientKey(alg);
    const token = accessToken({ cnf: { jkt: key.jkt } });
    const proof = makeProof({ key, url: URL_, accessToken: token });
    assert.equal(await outcome(dpopVerifier()(dpopRequest(proof, token))), 'valid', alg);
    if (alg === 'EdDSA') {
      const ed25519 = makeProof({ key, alg: 'Ed25519', url: URL_, accessToken: token }); // RFC 9864's name for it
      assert.equal(await outcome(dpopVerifier()(dpopRequest(ed25519, token))), 'valid', 'Ed25519');
    }
    if (alg === 'PS256') {
      const rs256 = makeProof({ key, alg: 'RS256', url: URL_, accessToken: token });
      assert.equal(await outcome(dpopVerifier()(dpopRequest(rs256, token))), 'valid', 'RS256');
    }
  }
});

test('dpop verifier: in allowed mode an unbound token still works as Bearer', async () => {
  const unbound = accessToken({ cnf: undefined });
  const claims = await dpopVerifier()({ method: 'GET', url: '/resource', headers: { authorization: `Bearer ${unbound}` } });
  assert.equal(claims.sub, 'user_1');
});

test('dpop verifier: the core\'s detail and resource_metadata carry over to the leaf\'s challenges', async () => {
  const metadata = 'https://api.example.com/.well-known/oauth-protected-resource';
  const withMetadata = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [fixtureJwk('es256-1')] }, resourceMetadata: metadata });
  const dpop = createDpopVerifier(withMetadata, { mode: 'allowed', publicOrigin: ORIGIN });
  const expired = accessToken({ exp: nowSeconds() - 3600 });
  const error = await dpop({ method: 'GET', url: '/resource', headers: { authorization: `Bearer ${expired}` } }).catch((caught: unknown) => caught);
  assert.ok(error instanceof AuthError && error.code === 'auth.jwt_expired', String(error));
  assert.equal(error.detail.check, 'exp');
  assert.equal(error.wwwAuthenticate.split(`resource_metadata="${metadata}"`).length - 1, 2, error.wwwAuthenticate);
});

// htu values the RFC 3986 §6.2.2/§6.2.3 normalisation makes EQUAL to the request URL.
const EQUAL_HTU: Array<[string, string]> = [
  ['default port written out', 'https://api.example.com:443/resource'],
  ['scheme and host in capitals', 'HTTPS://API.Example.COM/resource'],
  ['percent-encoded unreserved character', 'https://api.example.com/%72esource'],
  ['dot segments', 'https://api.example.com/x/../resource'],
  ['query and fragment in the htu are ignored', 'https://api.example.com/resource?other=1#frag'],
];

test('dpop verifier: htu values equal after normalisation are accepted', async () => {
  for (const [name, htu] of EQUAL_HTU) {
    assert.equal(await outcome(dpopVerifier()(dpopRequest(proofFor({ url: htu })))), 'valid', name);
  }
  // Both sides are normalised: the request target's own spelling does not matter either.
  const odd = dpopRequest(proofFor(), boundToken, { url: '/a/./../%72esource?q' });
  assert.equal(await outcome(dpopVerifier()(odd)), 'valid', 'request side normalised');
});

// ---- the negative table -----------------------------------------------------------------

const rsaKey = clientKey('RS256');
const hsSecret = Buffer.from('a shared secret of thirty-two bytes!');
const rsa1024 = createPrivateKey(readFileSync(join(FIXTURES_DIR, 'keys', 'rsa-1024.pem')));
const privateJwk = { ...client.publicJwk, d: client.privateKey.export({ format: 'jwk' }).d };
const { privateKey: p256Other } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

function hs256Proof(): string {
  const header = Buffer.from(JSON.stringify({ typ: 'dpop+jwt', alg: 'HS256', jwk: client.publicJwk })).toString('base64url');
  const payload = Buffer.from(JSON.stringify({ jti: 'x', htm: 'GET', htu: URL_, iat: nowSeconds(), ath: athOf(boundToken) })).toString('base64url');
  return `${header}.${payload}.${createHmac('sha256', hsSecret).update(`${header}.${payload}`).digest('base64url')}`;
}

type Case = [name: string, request: () => DpopRequest | Promise<DpopRequest>, expected: AuthErrorCode];
const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const NEGATIVE: Case[] = [
  // §4.3 step 3: every required claim, and wrong types.
  ['jti missing', () => dpopRequest(proofFor({ claims: { jti: undefined } })), 'auth.dpop_proof_claim_invalid'],
  ['htm missing', () => dpopRequest(proofFor({ claims: { htm: undefined } })), 'auth.dpop_proof_claim_invalid'],
  ['htu missing', () => dpopRequest(proofFor({ claims: { htu: undefined } })), 'auth.dpop_proof_claim_invalid'],
  ['iat missing', () => dpopRequest(proofFor({ claims: { iat: undefined } })), 'auth.dpop_proof_claim_invalid'],
  ['ath missing', () => dpopRequest(proofFor({ claims: { ath: undefined } })), 'auth.dpop_proof_claim_invalid'],
  ['jti a number', () => dpopRequest(proofFor({ claims: { jti: 42 } })), 'auth.dpop_proof_claim_invalid'],
  ['iat a string', () => dpopRequest(proofFor({ claims: { iat: String(nowSeconds()) } })), 'auth.dpop_proof_claim_invalid'],
  ['nonce not a string', () => dpopRequest(proofFor({ claims: { nonce: 7 } })), 'auth.dpop_proof_claim_invalid'],
  // §4.3 step 4: typ.
  ['typ missing', () => dpopRequest(proofFor({ header: { typ: undefined } })), 'auth.dpop_proof_typ_invalid'],
  ['typ JWT', () => dpopRequest(proofFor({ header: { typ: 'JWT' } })), 'auth.dpop_proof_typ_invalid'],
  ['typ at+jwt', () => dpopRequest(proofFor({ header: { typ: 'at+jwt' } })), 'auth.dpop_proof_typ_invalid'],
  // §4.3 step 5: alg.
  ['alg none, no signature', () => dpopRequest(`${segment({ typ: 'dpop+jwt', alg: 'none', jwk: client.publicJwk })}.${segment({ jti: 'a', htm: 'GET', htu: URL_, iat: nowSeconds(), ath: athOf(boundToken) })}.`), 'auth.dpop_proof_alg_not_allowed'],
  ['alg HS256 (a MAC)', () => dpopRequest(hs256Proof()), 'auth.dpop_proof_alg_not_allowed'],
  ['RS256 with an EC key in jwk', () => dpopRequest(proofFor({ alg: 'RS256', signer: rsaKey.privateKey })), 'auth.dpop_proof_alg_key_mismatch'],
  ['ES384 with a P-256 key', () => dpopRequest(proofFor({ alg: 'ES384', signer: clientKey('ES384').privateKey })), 'auth.dpop_proof_alg_key_mismatch'],
  ['jwk pinned to RS256, proof PS256', () => dpopRequest(makeProof({ key: rsaKey, alg: 'PS256', url: URL_, accessToken: boundToken, header: { jwk: { ...rsaKey.publicJwk, alg: 'RS256' } } })), 'auth.dpop_proof_alg_key_mismatch'],
  ['alg outside the allowlist (RS512)', () => dpopRequest(makeProof({ key: rsaKey, alg: 'RS512', url: URL_, accessToken: boundToken })), 'auth.dpop_proof_alg_not_allowed'],
  // §4.3 step 7 and the issuer-key import rules.
  ['a private jwk (EC with d)', () => dpopRequest(proofFor({ header: { jwk: privateJwk } })), 'auth.dpop_proof_jwk_private'],
  ['a symmetric jwk (oct)', () => dpopRequest(proofFor({ header: { jwk: { kty: 'oct', k: hsSecret.toString('base64url') } } })), 'auth.dpop_proof_jwk_private'],
  ['no jwk', () => dpopRequest(proofFor({ header: { jwk: undefined } })), 'auth.dpop_proof_jwk_invalid'],
  ['jwk a string', () => dpopRequest(proofFor({ header: { jwk: 'key' } })), 'auth.dpop_proof_jwk_invalid'],
  ['RSA-1024 jwk', () => dpopRequest(signJws('RS256', rsa1024, { typ: 'dpop+jwt', alg: 'RS256', jwk: badFixtureJwk('rsa-1024') }, { jti: 'a', htm: 'GET', htu: URL_, iat: nowSeconds(), ath: athOf(boundToken) })), 'auth.dpop_proof_jwk_invalid'],
  // §4.3 step 6: the signature.
  ['signed by another key than its jwk', () => dpopRequest(proofFor({ signer: p256Other })), 'auth.dpop_proof_signature_invalid'],
  ['payload changed after signing', async () => {
    const [header, , signature] = proofFor().split('.');
    return dpopRequest(`${header}.${segment({ jti: 'b', htm: 'GET', htu: URL_, iat: nowSeconds(), ath: athOf(boundToken) })}.${signature}`);
  }, 'auth.dpop_proof_signature_invalid'],
  // §4.3 step 2: one well-formed JWS.
  ['five segments (a JWE shape)', () => dpopRequest(`${proofFor()}.e30.e30`), 'auth.dpop_proof_malformed'],
  ['two segments', () => dpopRequest(proofFor().split('.').slice(0, 2).join('.')), 'auth.dpop_proof_malformed'],
  ['padded base64url', () => dpopRequest(proofFor().replace('.', '=.')), 'auth.dpop_proof_malformed'],
  ['crit header', () => dpopRequest(proofFor({ header: { crit: ['exp'] } })), 'auth.dpop_proof_malformed'],
  ['payload not JSON', () => dpopRequest(signJws('ES256', client.privateKey, { typ: 'dpop+jwt', alg: 'ES256', jwk: client.publicJwk }, 'not json')), 'auth.dpop_proof_claim_invalid'],
  ['oversize proof (9 KiB)', () => dpopRequest(proofFor({ claims: { pad: 'x'.repeat(9 * 1024) } })), 'auth.dpop_proof_too_large'],
  // §4.3 step 1: exactly one DPoP header.
  ['two DPoP headers (Node array)', () => dpopRequest([proofFor(), proofFor()]), 'auth.dpop_proof_multiple'],
  ['two DPoP headers (fetch Headers joins them)', () => {
    const headers = new Headers({ authorization: `DPoP ${boundToken}` });
    headers.append('DPoP', proofFor());
    headers.append('DPoP', proofFor());
    return { method: 'GET', url: '/resource', headers };
  }, 'auth.dpop_proof_multiple'],
  ['DPoP scheme without a proof', () => dpopRequest(undefined), 'auth.dpop_proof_missing'],
  // §4.3 step 8: htm.
  ['htm POST on a GET', () => dpopRequest(proofFor({ method: 'POST' })), 'auth.dpop_proof_htm_mismatch'],
  ['htm in lower case', () => dpopRequest(proofFor({ method: 'get' })), 'auth.dpop_proof_htm_mismatch'],
  // §4.3 step 9: htu that differ from the request URL even after normalisation.
  ['htu other host', () => dpopRequest(proofFor({ url: 'https://evil.example.com/resource' })), 'auth.dpop_proof_htu_mismatch'],
  ['htu other path', () => dpopRequest(proofFor({ url: `${ORIGIN}/admin` })), 'auth.dpop_proof_htu_mismatch'],
  ['htu other scheme', () => dpopRequest(proofFor({ url: 'http://api.example.com/resource' })), 'auth.dpop_proof_htu_mismatch'],
  ['htu host with a trailing dot', () => dpopRequest(proofFor({ url: 'https://api.example.com./resource' })), 'auth.dpop_proof_htu_mismatch'],
  ['htu with another port', () => dpopRequest(proofFor({ url: 'https://api.example.com:8443/resource' })), 'auth.dpop_proof_htu_mismatch'],
  ['htu http default port on https', () => dpopRequest(proofFor({ url: 'https://api.example.com:80/resource' })), 'auth.dpop_proof_htu_mismatch'],
  ['htu path in another case', () => dpopRequest(proofFor({ url: `${ORIGIN}/Resource` })), 'auth.dpop_proof_htu_mismatch'],
  ['htu with an encoded slash (%2F is reserved)', () => dpopRequest(proofFor({ url: `${ORIGIN}/a%2Fresource` }), boundToken, { url: '/a/resource' }), 'auth.dpop_proof_htu_mismatch'],
  ['htu with userinfo', () => dpopRequest(proofFor({ url: 'https://user@api.example.com/resource' })), 'auth.dpop_proof_htu_mismatch'],
  ['htu with a backslash', () => dpopRequest(proofFor({ url: 'https://api.example.com\\resource' })), 'auth.dpop_proof_htu_mismatch'],
  ['request target that is no URL (asterisk-form)', () => dpopRequest(proofFor(), boundToken, { url: '*' }), 'auth.dpop_proof_htu_mismatch'],
  ['absolute-form target naming another host', () => dpopRequest(proofFor({ url: 'https://evil.example.com/resource' }), boundToken, { url: 'https://evil.example.com/resource' }), 'auth.dpop_proof_htu_mismatch'],
  // §4.3 step 11: iat.
  ['iat one hour ago', () => dpopRequest(proofFor({ iat: nowSeconds() - 3600 })), 'auth.dpop_proof_iat_out_of_window'],
  ['iat one hour ahead', () => dpopRequest(proofFor({ iat: nowSeconds() + 3600 })), 'auth.dpop_proof_iat_out_of_window'],
  // §4.3 step 12: ath and the key binding.
  ['ath of another token', () => dpopRequest(proofFor({ accessToken: accessToken({ sub: 'someone else' }) })), 'auth.dpop_proof_ath_mismatch'],
  ['token bound to another key', () => {
    const token = accessToken({ cnf: { jkt: otherClient.jkt } });
    return dpopRequest(proofFor({ accessToken: token }), token);
  }, 'auth.dpop_key_binding_mismatch'],
  ['token not bound at all, sent as DPoP', () => {
    const token = accessToken({ cnf: undefined });
    return dpopRequest(proofFor({ accessToken: token }), token);
  }, 'auth.dpop_token_not_bound'],
  // §7.2: the downgrade.
  ['bound token sent as Bearer', () => ({ method: 'GET', url: '/resource', headers: { authorization: `Bearer ${boundToken}`, dpop: proofFor() } }), 'auth.dpop_bound_token_as_bearer'],
  // The access token's own checks still come first for it.
  ['expired token with a valid proof', () => {
    const token = accessToken({ exp: nowSeconds() - 60 });
    return dpopRequest(proofFor({ accessToken: token }), token);
  }, 'auth.jwt_expired'],
  ['another scheme', () => ({ method: 'GET', url: '/resource', headers: { authorization: `Basic dXNlcjpwYXNz` } }), 'auth.authorization_token_type_not_supported'],
];

test(`dpop verifier: the negative table (${NEGATIVE.length} cases), each with its exact code`, async () => {
  assert.ok(NEGATIVE.length >= 30, `only ${NEGATIVE.length} cases`);
  const verifyEs = dpopVerifier({ algorithms: ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'] });
  const rows = [];
  for (const [name, request, expected] of NEGATIVE) rows.push({ name, expected, actual: await outcome(verifyEs(await request())) });
  assertAllAsExpected(rows);
});

test('dpop verifier: a proof used twice is refused the second time (reused jti)', async () => {
  const verifyOnce = dpopVerifier();
  const proof = proofFor();
  assert.equal(await outcome(verifyOnce(dpopRequest(proof))), 'valid');
  assert.equal(await outcome(verifyOnce(dpopRequest(proof))), 'auth.dpop_proof_replayed');
  // The same jti for another URL is another proof (§11.1 scopes jti by URL).
  const jti = 'fixed-jti';
  assert.equal(await outcome(verifyOnce(dpopRequest(proofFor({ claims: { jti } })))), 'valid');
  const other = dpopRequest(proofFor({ claims: { jti }, url: `${ORIGIN}/other` }), boundToken, { url: '/other' });
  assert.equal(await outcome(verifyOnce(other)), 'valid');
  assert.equal(await outcome(verifyOnce(dpopRequest(proofFor({ claims: { jti } })))), 'auth.dpop_proof_replayed');
});

test('dpop verifier: a refused request does not use up its proof', async () => {
  const verifyOnce = dpopVerifier();
  const proof = proofFor();
  assert.equal(await outcome(verifyOnce(dpopRequest(proof), { scopes: ['admin'] })), 'auth.insufficient_scope');
  assert.equal(await outcome(verifyOnce(dpopRequest(proof))), 'valid');
});

// ---- modes and challenges ---------------------------------------------------------------

const ALGS = 'ES256 ES384 ES512 RS256 RS384 RS512 PS256 PS384 PS512 EdDSA Ed25519'; // the table's order

test('dpop verifier: challenges per mode and scheme (RFC 9449 §7.1, §7.2)', async () => {
  const rejection = async (promise: Promise<unknown>) => promise.then(() => assert.fail('accepted'), (error: unknown) => error as AuthError);
  const allowed = dpopVerifier();
  const none = await rejection(allowed({ method: 'GET', url: '/resource', headers: {} }));
  assert.equal(none.code, 'auth.authorization_header_missing');
  assert.equal(none.wwwAuthenticate, `Bearer realm="api", DPoP realm="api", algs="${ALGS}"`);

  const badProof = await rejection(allowed(dpopRequest(proofFor({ method: 'POST' }))));
  assert.equal(badProof.error, 'invalid_dpop_proof');
  assert.equal(badProof.wwwAuthenticate,
    `DPoP realm="api", error="invalid_dpop_proof", error_description="${badProof.message}", algs="${ALGS}", Bearer realm="api"`);

  const downgrade = await rejection(allowed({ method: 'GET', url: '/resource', headers: { authorization: `Bearer ${boundToken}` } }));
  assert.equal(downgrade.wwwAuthenticate,
    `Bearer realm="api", error="invalid_token", error_description="${downgrade.message}", DPoP realm="api", algs="${ALGS}"`);

  const required = dpopVerifier({ mode: 'required', algorithms: ['ES256', 'EdDSA'], realm: 'shop' });
  const bearer = await rejection(required({ method: 'GET', url: '/resource', headers: { authorization: `Bearer ${accessToken({ cnf: undefined })}` } }));
  assert.equal(bearer.code, 'auth.dpop_scheme_required');
  assert.equal(bearer.wwwAuthenticate, 'DPoP realm="shop", algs="ES256 EdDSA"');

  const scope = await rejection(required(dpopRequest(proofFor()), { scopes: ['admin'] }));
  assert.equal(scope.status, 403);
  assert.equal(scope.wwwAuthenticate, `DPoP realm="shop", error="insufficient_scope", error_description="${scope.message}", scope="admin", algs="ES256 EdDSA"`);
});

// ---- nonces -----------------------------------------------------------------------------

test('dpop verifier: with nonces on, a proof without the current nonce gets use_dpop_nonce and the nonce', async () => {
  let nowMs = Date.now();
  const secret = Buffer.alloc(32, 7);
  const verifyNonce = dpopVerifier({ nonce: { secret, rotationSeconds: 60 }, now: () => nowMs, iatWindowSeconds: 600 });
  const error = await verifyNonce(dpopRequest(proofFor())).then(() => assert.fail('accepted'), (caught: unknown) => caught as AuthError);
  assert.equal(error.code, 'auth.dpop_nonce_required');
  assert.equal(error.status, 401);
  assert.match(error.wwwAuthenticate, /^DPoP realm="api", error="use_dpop_nonce", /);
  const nonce = verifyNonce.responseHeaders()['dpop-nonce'];
  assert.ok(nonce !== undefined && /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(nonce), 'NQCHAR nonce (§8.1)');
  assert.equal(error.headers['dpop-nonce'], nonce, 'the refusal itself carries the nonce (§9)');

  assert.equal(await outcome(verifyNonce(dpopRequest(proofFor({ claims: { nonce } })))), 'valid');
  assert.equal(await outcome(verifyNonce(dpopRequest(proofFor({ claims: { nonce: `${nonce}x` } })))), 'auth.dpop_nonce_required');
  nowMs += 60_000; // one rotation: the previous nonce is still accepted
  assert.notEqual(verifyNonce.responseHeaders()['dpop-nonce'], nonce);
  assert.equal(await outcome(verifyNonce(dpopRequest(proofFor({ claims: { nonce } })))), 'valid');
  nowMs += 60_000; // two rotations: it is not
  assert.equal(await outcome(verifyNonce(dpopRequest(proofFor({ claims: { nonce } })))), 'auth.dpop_nonce_required');
  assert.deepEqual(dpopVerifier().responseHeaders(), {}, 'no nonce header when nonces are off');
  const withoutNonces = await dpopVerifier()(dpopRequest(undefined)).then(() => assert.fail('accepted'), (caught: unknown) => caught as AuthError);
  assert.equal(withoutNonces.headers['dpop-nonce'], undefined);
});

// ---- the replay store -------------------------------------------------------------------

test('dpop verifier: a failing, broken or silent replay store fails closed with 503', { timeout: 10_000 }, async () => {
  const stores = [
    { rememberIfNew: () => { throw new Error('down'); } },
    { rememberIfNew: () => Promise.reject(new Error('timeout')) },
    { rememberIfNew: () => 'OK' as unknown as boolean },
    { rememberIfNew: () => new Promise<boolean>(() => {}) }, // never answers: the deadline ends it
  ];
  for (const replayStore of stores) {
    const error = await dpopVerifier({ replayStore, replayStoreTimeoutMs: 50 })(dpopRequest(proofFor())).then(() => assert.fail('accepted'), (caught: unknown) => caught as AuthError);
    assert.equal(error.code, 'auth.dpop_replay_store_unavailable');
    assert.equal(error.status, 503);
  }
});

test('dpop verifier: the store is asked with a fixed-size key and a TTL covering the iat window', async () => {
  const calls: Array<[string, number]> = [];
  const nowMs = 1_800_000_000_000;
  const replayStore = { rememberIfNew: (key: string, ttlMs: number) => { calls.push([key, ttlMs]); return true; } };
  const verifyStore = dpopVerifier({ replayStore, now: () => nowMs, iatWindowSeconds: 30, clockTolerance: 5 });
  const token = accessToken({ exp: 1_800_000_600 });
  await verifyStore(dpopRequest(makeProof({ key: client, url: URL_, accessToken: token, iat: 1_800_000_000 - 10, claims: { jti: 'j'.repeat(500) } }), token));
  assert.equal(calls.length, 1);
  assert.match(calls[0]![0], /^[A-Za-z0-9_-]{43}$/);
  // iat + 30 + 5 s is 25 s from now; one more second of margin.
  assert.equal(calls[0]![1], 26_000);
});

test("dpop verifier: a 503 from the core keeps its Retry-After and gets the DPoP challenge", async () => {
  const keysDown = { token: async () => { throw new AuthError('auth.jwks_unavailable', { retryAfter: 7 }); } };
  const verifier = createDpopVerifier(keysDown, { mode: 'required', publicOrigin: ORIGIN, algorithms: ['ES256'] });
  const error = await verifier(dpopRequest(proofFor())).then(() => assert.fail('accepted'), (caught: unknown) => caught as AuthError);
  assert.deepEqual([error.status, error.retryAfter, error.headers['retry-after'], error.wwwAuthenticate],
    [503, 7, '7', 'DPoP realm="api", algs="ES256"']);
});

test('dpop verifier: caller mistakes are TypeErrors, never 401s', async () => {
  const verifier = dpopVerifier();
  await assert.rejects(verifier(null as unknown as DpopRequest), TypeError);
  await assert.rejects(verifier({ method: 'GET', headers: {} } as unknown as DpopRequest), TypeError);
  await assert.rejects(verifier(dpopRequest(proofFor()), { scopes: 'admin' as unknown as string[] }), TypeError);
  assert.throws(() => createDpopVerifier({} as never, { mode: 'allowed', publicOrigin: ORIGIN }), TypeError);
});

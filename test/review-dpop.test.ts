// Review findings on the DPoP leaf (src/dpop/): each test states the behaviour the leaf
// should have and fails on main at 08:38. Tokens and proofs are signed with node:crypto
// (test/support); the core verifier uses the openssl fixture key set.

import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { createDpopVerifier, type DpopRequest, type DpopVerifierOptions } from '../src/dpop/index.js';
import { createVerifier } from '../src/verifier.js';
import { athOf, clientKey, makeProof } from './support/dpop.js';
import { fixtureJwk, signToken } from './support/key-server.js';
import { outcome } from './support/outcome.js';

const ISSUER = 'https://issuer.example.com/oidc';
const AUDIENCE = 'https://api.example.com';
const ORIGIN = 'https://api.example.com';
const verify = createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [fixtureJwk('es256-1')] } });
const client = clientKey('ES256');
const nowSeconds = () => Math.floor(Date.now() / 1000);

function accessToken(claims: Record<string, unknown> = {}): string {
  return signToken('ES256', 'es256-1', { iss: ISSUER, aud: AUDIENCE, sub: 'user_1', exp: nowSeconds() + 600, cnf: { jkt: client.jkt }, ...claims });
}
const dpopVerifier = (options: Partial<DpopVerifierOptions> = {}) =>
  createDpopVerifier(verify, { mode: 'allowed', publicOrigin: ORIGIN, ...options });
const dpopRequest = (token: string, proof: string, url = '/resource'): DpopRequest =>
  ({ method: 'GET', url, headers: { authorization: `DPoP ${token}`, dpop: proof } });

// [F1] src/dpop/request.ts requestUrl: an absolute target whose scheme is not special has an
// opaque path that does not start with "/", and `${publicOrigin}${pathname}` then names
// another host (or port). The README promises that neither the target nor Host can choose
// the origin; here the target does. (Node's own parser answers 400 to such a target; the
// leaf's DpopRequest contract is generic, so Bun/Deno/uWS/custom adapters can pass it.)
test('review F1: an absolute request target with an opaque path cannot move the htu origin', async () => {
  const token = accessToken();
  const cases = [
    { target: 'x:.evil.example/resource', htu: 'https://api.example.com.evil.example/resource' },
    { target: 'x::8443/resource', htu: 'https://api.example.com:8443/resource' },
  ];
  for (const { target, htu } of cases) {
    const proof = makeProof({ key: client, url: htu, accessToken: token });
    assert.equal(await outcome(dpopVerifier()(dpopRequest(token, proof, target))), 'auth.dpop_proof_htu_mismatch', `${target} → ${htu}`);
  }
});

// [F2] src/dpop/verifier.ts boundThumbprint: only an object cnf with a jkt member counts as
// bound, so in mode 'allowed' a token bound by another confirmation method (RFC 8705 §3.1
// mTLS `x5t#S256`), or with a cnf of the wrong shape, is accepted as a plain Bearer token.
// The leaf cannot check any of these bindings, so it must not drop them.
test('review F2: a token with any cnf (mTLS x5t#S256, malformed shapes) is not accepted as Bearer', async () => {
  const shapes: Record<string, unknown> = {
    'x5t#S256 (RFC 8705)': { 'x5t#S256': 'bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2' },
    'array': [{ jkt: client.jkt }],
    'string': client.jkt,
  };
  for (const [name, cnf] of Object.entries(shapes)) {
    const token = accessToken({ cnf });
    const request: DpopRequest = { method: 'GET', url: '/resource', headers: { authorization: `Bearer ${token}` } };
    assert.equal(await outcome(dpopVerifier()(request)), 'auth.dpop_bound_token_as_bearer', name);
  }
});

// [F3] src/dpop/verifier.ts + proof.ts: the leaf's own clock is not checked for NaN (the
// core's checkTime is: "A clock that returns NaN would make every comparison below false,
// i.e. pass"). With now() = NaN the iat window passes for any iat, the replay TTL is NaN,
// and the memory store never remembers the key: one proof from last year works forever.
test('review F3: a DPoP clock that returns NaN fails closed instead of disabling iat and replay checks', async () => {
  const token = accessToken();
  const proof = makeProof({ key: client, url: `${ORIGIN}/resource`, accessToken: token, iat: nowSeconds() - 365 * 86400 });
  const broken = dpopVerifier({ now: () => Number.NaN });
  const first = await outcome(broken(dpopRequest(token, proof)));
  const second = await outcome(broken(dpopRequest(token, proof)));
  assert.notEqual(first, 'valid', 'a year-old proof was accepted');
  assert.notEqual(second, 'valid', 'the same proof was accepted a second time');
});

// [F4] src/dpop/proof.ts resolveProofKey: the proof's key is the client's choice, and
// importJwk admits RSA moduli up to 16384 bits with 32-bit exponents (RSA_KEY_BOUNDS, meant for
// an issuer's keys). The proof is checked before the access token, so with no credentials at
// all a client makes the event loop run an RSA-16384 public operation per request (≈ 2.8 ms
// with e = 2^32 − 1 on this machine, against ≈ 0.06 ms for RSA-2048). The comment on
// MAX_PROOF_LENGTH ("an RSA-8192 key fits") shows 16384 was not intended; it fits in 8 KiB.
test('review F4: a proof key larger than a DPoP client needs is refused before any RSA maths', async () => {
  const modulus = randomBytes(16384 / 8);
  modulus[0]! |= 0x80;
  modulus[modulus.length - 1]! |= 1;
  const jwk = { kty: 'RSA', n: modulus.toString('base64url'), e: '_____w' }; // e = 2^32 − 1
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signature = Buffer.alloc(modulus.length, 1).toString('base64url');
  const proofFor = (token: string) => `${b64({ typ: 'dpop+jwt', alg: 'RS256', jwk })}.${b64({
    jti: randomUUID(), htm: 'GET', htu: `${ORIGIN}/resource`, iat: nowSeconds(), ath: athOf(token),
  })}.${signature}`;
  const token = accessToken();
  assert.ok(proofFor(token).length <= 8 * 1024, `the proof fits under MAX_PROOF_LENGTH (${proofFor(token).length} characters)`);
  // Without a valid access token, the proof is never looked at: the token's own code answers.
  assert.equal(await outcome(dpopVerifier()(dpopRequest('a.b.c', proofFor('a.b.c')))), 'auth.base64url_invalid');
  // With one, a 16384-bit proof key is refused before any RSA maths.
  assert.equal(await outcome(dpopVerifier()(dpopRequest(token, proofFor(token)))), 'auth.dpop_proof_jwk_invalid');
});

// [F6] src/dpop/options.ts originOf: a publicOrigin function's result is used unchecked,
// while the string form must be exactly an origin. A result that ends in "?" or "#" (say a
// forwarded-host header value "api.example.com#") makes normalizeHtu cut the request's path
// off, so a proof made for "/" is accepted on every path. Checking the result per request as
// the string form is checked at creation (new URL(o).origin === o) closes it.
test('review F6: a publicOrigin function that returns more than an origin cannot drop the path from the comparison', async () => {
  const token = accessToken();
  const proof = makeProof({ key: client, url: `${ORIGIN}/`, accessToken: token });
  const fromHeader = createDpopVerifier(verify, {
    mode: 'allowed', publicOrigin: (request) => `https://${String((request.headers as Record<string, string>)['x-forwarded-host'])}`,
  });
  const request: DpopRequest = {
    method: 'GET', url: '/admin', headers: { authorization: `DPoP ${token}`, dpop: proof, 'x-forwarded-host': 'api.example.com#' },
  };
  assert.equal(await outcome(fromHeader(request)), 'auth.dpop_proof_htu_mismatch');
});

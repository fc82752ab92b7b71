import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SUPPORTED_ALGORITHMS } from '../src/algorithms.js';
import { MAX_PROOF_LENGTH, verifyDpopProof, type ProofRules } from '../src/dpop/proof.js';
import { AuthError } from '../src/errors.js';
import { clientKey, makeProof, rfc9449Example, signJws } from './support/dpop.js';
import { outcome } from './support/outcome.js';

const RULES: ProofRules = { algorithms: new Set(SUPPORTED_ALGORITHMS), iatWindowSeconds: 60, clockTolerance: 5 };
const example = rfc9449Example();
const rfcRequest = { method: example.request.method, url: example.request.url, accessToken: example.accessToken };

test('dpop proof: the RFC 9449 §7.1 proof verifies at its clock, with the §6.1 thumbprint', async () => {
  const checked = await verifyDpopProof(example.proof, rfcRequest, RULES, example.proofIat);
  assert.deepEqual(checked, {
    jkt: example.accessTokenClaims.cnf.jkt, jti: 'e1j3V_bKic8-LAEB', htu: 'https://resource.example.org/protectedresource',
    iat: example.proofIat, nonce: undefined,
  });
});

test('dpop proof: the RFC example against the edges of its iat window', async () => {
  const at = (seconds: number) => outcome(verifyDpopProof(example.proof, rfcRequest, RULES, seconds));
  assert.equal(await at(example.proofIat + 65), 'valid', 'window + tolerance');
  assert.equal(await at(example.proofIat + 66), 'auth.dpop_proof_iat_out_of_window');
  assert.equal(await at(example.proofIat - 5), 'valid', 'tolerance ahead');
  assert.equal(await at(example.proofIat - 6), 'auth.dpop_proof_iat_out_of_window');
});

test('dpop proof: the RFC example with one thing of the request changed', async () => {
  const cases: Array<[string, Partial<typeof rfcRequest>, string]> = [
    ['method', { method: 'POST' }, 'auth.dpop_proof_htm_mismatch'],
    ['url', { url: 'https://resource.example.org/other' }, 'auth.dpop_proof_htu_mismatch'],
    ['access token', { accessToken: `${example.accessToken}x` }, 'auth.dpop_proof_ath_mismatch'],
  ];
  for (const [name, change, code] of cases) {
    assert.equal(await outcome(verifyDpopProof(example.proof, { ...rfcRequest, ...change }, RULES, example.proofIat)), code, name);
  }
});

// Every code the core's JWS layer can end with, and what it becomes for a proof: never
// invalid_token, which would blame the access token (§7.1).
test('dpop proof: the core JWS layer\'s failures become proof failures, with the core code as cause', async () => {
  const key = clientKey('ES256');
  const header = { typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk };
  const good = makeProof({ key, url: rfcRequest.url, accessToken: rfcRequest.accessToken });
  const [headerSegment, payloadSegment, signatureSegment] = good.split('.') as [string, string, string];
  const cases: Array<[string, string, string, string]> = [
    ['not three segments', 'abc', 'auth.dpop_proof_malformed', 'auth.jws_malformed'],
    ['five segments', `${good}.a.b`, 'auth.dpop_proof_malformed', 'auth.jwe_not_supported'],
    ['base64 with +', `${headerSegment}.${payloadSegment}.${signatureSegment.replace(/[-_]/, '+')}+`, 'auth.dpop_proof_malformed', 'auth.base64url_invalid'],
    ['header not JSON', `${Buffer.from('{').toString('base64url')}.${payloadSegment}.${signatureSegment}`, 'auth.dpop_proof_malformed', 'auth.jws_header_invalid'],
    ['crit', signJws('ES256', key.privateKey, { ...header, crit: ['x'], x: 1 }, {}), 'auth.dpop_proof_malformed', 'auth.jws_crit_unsupported'],
    ['b64 false', signJws('ES256', key.privateKey, { ...header, b64: false }, {}), 'auth.dpop_proof_malformed', 'auth.jws_b64_unsupported'],
    ['alg none', signJws('ES256', key.privateKey, { ...header, alg: 'none' }, {}), 'auth.dpop_proof_alg_not_allowed', 'auth.jws_alg_not_allowed'],
    ['bad signature', `${headerSegment}.${payloadSegment}.${Buffer.alloc(64, 1).toString('base64url')}`, 'auth.dpop_proof_signature_invalid', 'auth.jws_signature_invalid'],
  ];
  for (const [name, proof, code, causeCode] of cases) {
    const error = await verifyDpopProof(proof, rfcRequest, RULES, Date.now() / 1000).then(() => assert.fail(name), (caught: unknown) => caught as AuthError);
    assert.equal(error.code, code, name);
    assert.equal((error.cause as AuthError).code, causeCode, name);
    assert.equal(error.error, 'invalid_dpop_proof', name);
  }
});

test('dpop proof: typ is checked before the key is imported; application/dpop+jwt is the same type', async () => {
  const key = clientKey('ES256');
  const now = Date.now() / 1000;
  const proof = (header: Record<string, unknown>) => makeProof({ key, url: rfcRequest.url, accessToken: rfcRequest.accessToken, header });
  assert.equal(await outcome(verifyDpopProof(proof({ typ: 'JWT', jwk: { kty: 'EC', d: 'x' } }), rfcRequest, RULES, now)), 'auth.dpop_proof_typ_invalid');
  assert.equal(await outcome(verifyDpopProof(proof({ typ: 'application/DPoP+JWT' }), rfcRequest, RULES, now)), 'valid');
});

test('dpop proof: length is capped before any parsing', async () => {
  const long = 'a'.repeat(MAX_PROOF_LENGTH + 1);
  assert.equal(await outcome(verifyDpopProof(long, rfcRequest, RULES, 0)), 'auth.dpop_proof_too_large');
  assert.equal(MAX_PROOF_LENGTH, 8192);
});

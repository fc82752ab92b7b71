import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkClaims, checkScopes, checkTime, type ClaimRules } from '../src/claims.js';
import { AuthError } from '../src/errors.js';
import { assertAllAsExpected, assertCode, outcomeOf } from './support/outcome.js';

// The claim rules are pure functions of (header typ, payload bytes, rules, now): these tests
// feed JSON bytes to checkClaims, the one function the verifier calls, then checkScopes on
// the scopes it returns, as the verifier does. The same cases run end to end over
// openssl-signed tokens in verifier.test.ts.
const NOW = 1_767_225_600;
const RULES: ClaimRules = {
  issuer: 'https://tenant.logto.app/oidc',
  audiences: ['https://api.example.com'],
  clockTolerance: 5,
  maxTokenAge: undefined,
  requiredScopes: [],
  typ: undefined,
};

const BASE = {
  jti: 'abc', sub: 'user_123', iat: NOW - 60, exp: NOW + 3600, scope: 'read:profile write:profile',
  client_id: 'demo-client', iss: RULES.issuer, aud: 'https://api.example.com',
};

function run(claims: unknown, rules: Partial<ClaimRules> = {}, scopes: string[] = [], now = NOW): string {
  const bytes = Buffer.from(typeof claims === 'string' ? claims : JSON.stringify(claims));
  const merged = { ...RULES, ...rules };
  return outcomeOf(() => {
    const checked = checkClaims(undefined, bytes, merged, now);
    assert.equal(checked.claims.sub, (claims as { sub?: string }).sub);
    checkScopes(checked.grantedScopes, merged.requiredScopes, scopes);
  });
}

const without = (name: keyof typeof BASE) => Object.fromEntries(Object.entries(BASE).filter(([key]) => key !== name));

test('claims: table of rules (RFC 7519 §4.1, RFC 9068 §4)', () => {
  const cases: Array<[string, unknown, string, Partial<ClaimRules>?, string[]?]> = [
    ['Logto-shaped token', BASE, 'valid'],
    ['payload is an array', '[1,2]', 'auth.jwt_payload_invalid'],
    ['payload is not JSON', 'not json', 'auth.jwt_payload_invalid'],
    ['payload is null', 'null', 'auth.jwt_payload_invalid'],
    ['exp missing', without('exp'), 'auth.jwt_exp_missing'],
    ['exp is a string', { ...BASE, exp: String(NOW + 3600) }, 'auth.jwt_claim_invalid'],
    ['exp is null', { ...BASE, exp: null }, 'auth.jwt_claim_invalid'],
    ['nbf is a string', { ...BASE, nbf: String(NOW) }, 'auth.jwt_claim_invalid'],
    ['iat is a boolean', { ...BASE, iat: true }, 'auth.jwt_claim_invalid'],
    ['iss is a number', { ...BASE, iss: 1 }, 'auth.jwt_claim_invalid'],
    ['sub is a number', { ...BASE, sub: 123 }, 'auth.jwt_claim_invalid'],
    ['aud is a number', { ...BASE, aud: 1 }, 'auth.jwt_claim_invalid'],
    ['aud array holds a number', { ...BASE, aud: ['https://api.example.com', 1] }, 'auth.jwt_claim_invalid'],
    ['scope is an array', { ...BASE, scope: ['admin'] }, 'auth.jwt_claim_invalid'],
    ['scp is a number', { ...BASE, scp: 7 }, 'auth.jwt_claim_invalid'],
    ['scp array holds a number', { ...BASE, scp: ['admin', 7] }, 'auth.jwt_claim_invalid'],
    ['wrong issuer', { ...BASE, iss: 'https://evil.example/oidc' }, 'auth.jwt_issuer_mismatch'],
    ['issuer with trailing slash', { ...BASE, iss: `${RULES.issuer}/` }, 'auth.jwt_issuer_mismatch'],
    ['issuer missing', without('iss'), 'auth.jwt_issuer_mismatch'],
    ['audience array with ours', { ...BASE, aud: ['https://other.example', 'https://api.example.com'] }, 'valid'],
    ['audience array without ours', { ...BASE, aud: ['https://other.example'] }, 'auth.jwt_audience_mismatch'],
    ['empty audience array', { ...BASE, aud: [] }, 'auth.jwt_audience_mismatch'],
    ['audience missing', without('aud'), 'auth.jwt_audience_mismatch'],
    ['wrong audience', { ...BASE, aud: 'https://api.example.com/' }, 'auth.jwt_audience_mismatch'],
    ['second configured audience', { ...BASE, aud: 'https://b.example' }, 'valid', { audiences: ['https://a.example', 'https://b.example'] }],
    ['expired an hour ago', { ...BASE, exp: NOW - 3600 }, 'auth.jwt_expired'],
    ['expired exactly at tolerance', { ...BASE, exp: NOW - 5 }, 'auth.jwt_expired'],
    ['expired within tolerance', { ...BASE, exp: NOW - 2 }, 'valid'],
    ['expired now, no tolerance', { ...BASE, exp: NOW }, 'auth.jwt_expired', { clockTolerance: 0 }],
    ['not yet valid', { ...BASE, nbf: NOW + 3600 }, 'auth.jwt_not_yet_valid'],
    ['nbf within tolerance', { ...BASE, nbf: NOW + 2 }, 'valid'],
    ['nbf just beyond tolerance', { ...BASE, nbf: NOW + 6 }, 'auth.jwt_not_yet_valid'],
    ['iat 2 s in the future (default tolerance)', { ...BASE, iat: NOW + 2 }, 'valid'],
    ['iat an hour in the future', { ...BASE, iat: NOW + 3600 }, 'auth.jwt_iat_in_future'],
    ['iat 2 s in the future, no tolerance', { ...BASE, iat: NOW + 2 }, 'auth.jwt_iat_in_future', { clockTolerance: 0 }],
    ['younger than maxTokenAge', { ...BASE, iat: NOW - 60 }, 'valid', { maxTokenAge: 300 }],
    ['older than maxTokenAge', { ...BASE, iat: NOW - 600 }, 'auth.jwt_too_old', { maxTokenAge: 300 }],
    ['maxTokenAge without iat', without('iat'), 'auth.jwt_iat_missing', { maxTokenAge: 300 }],
    ['required scope present', BASE, 'valid', { requiredScopes: ['read:profile'] }],
    ['required scope missing', BASE, 'auth.insufficient_scope', { requiredScopes: ['admin'] }],
    ['per-call scope missing', BASE, 'auth.insufficient_scope', {}, ['admin']],
    ['per-call scope present', { ...BASE, scope: 'read:profile admin' }, 'valid', {}, ['admin']],
    ['scope is not a prefix match', { ...BASE, scope: 'administrator' }, 'auth.insufficient_scope', {}, ['admin']],
    ['scp array grants', { ...without('scope'), scp: ['admin'] }, 'valid', {}, ['admin']],
    // Microsoft Entra ID puts scopes in `scp` as one space-separated string (issue #11).
    ['scp string grants each of its scopes', { ...without('scope'), scp: 'read:profile admin' }, 'valid', {}, ['admin', 'read:profile']],
    ['scp string is split, not matched whole', { ...without('scope'), scp: 'read:profile administrator' }, 'auth.insufficient_scope', {}, ['admin']],
    ['scp string, no scope required', { ...without('scope'), scp: 'x y' }, 'valid'],
    ['scope and scp both grant', { ...BASE, scp: 'admin' }, 'valid', {}, ['admin', 'write:profile']],
    ['no scope claim at all', without('scope'), 'auth.insufficient_scope', {}, ['read:profile']],
  ];
  assertAllAsExpected(cases.map(([name, claims, expected, rules, scopes]) => ({ name, expected, actual: run(claims, rules, scopes) })));
});

test('claims: insufficient_scope is a 403 whose challenge lists what the route needs (RFC 6750 §3)', () => {
  const { grantedScopes } = checkClaims(undefined, Buffer.from(JSON.stringify(BASE)), RULES, NOW);
  assert.throws(() => checkScopes(grantedScopes, ['read:profile'], ['admin', 'audit']), (error: unknown) => {
    assert.ok(error instanceof AuthError, 'error instanceof AuthError');
    assert.equal(error.code, 'auth.insufficient_scope');
    assert.equal(error.status, 403);
    assert.equal(error.error, 'insufficient_scope');
    assert.deepEqual(error.requiredScopes, ['read:profile', 'admin', 'audit']);
    assert.match(error.wwwAuthenticate, /error="insufficient_scope"/);
    assert.match(error.wwwAuthenticate, /scope="read:profile admin audit"/);
    return true;
  });
});

test('claims: typ matching (RFC 9068 §4, RFC 7515 §4.1.9)', () => {
  // The rule's typ is already normalized by the options reader; the header's is not.
  const cases: Array<[string | undefined, string | undefined, boolean]> = [
    ['at+jwt', 'at+jwt', true],
    ['AT+JWT', 'at+jwt', true],
    ['application/at+jwt', 'at+jwt', true],
    ['Application/AT+JWT', 'at+jwt', true],
    ['JWT', 'at+jwt', false],
    [undefined, 'at+jwt', false],
    ['text/at+jwt', 'at+jwt', false],
    ['anything', undefined, true],
    [undefined, undefined, true],
  ];
  const payload = Buffer.from(JSON.stringify(BASE));
  assertAllAsExpected(cases.map(([typ, expected, ok]) => ({
    name: `${typ} vs ${expected}`,
    expected: ok ? 'valid' : 'auth.jwt_typ_mismatch',
    actual: outcomeOf(() => checkClaims(typ, payload, { ...RULES, typ: expected }, NOW)),
  })));
});

test('claims: the time check alone refuses a token without exp (RFC 9068 §2.2), whatever ran before it', () => {
  const { exp: _exp, ...noExp } = BASE;
  assertCode(() => checkTime(noExp as never, RULES, NOW), 'auth.jwt_exp_missing');
  assertCode(() => checkTime(BASE, RULES, Number.NaN), 'auth.verification_failed');
  assert.doesNotThrow(() => checkTime(BASE, RULES, NOW));
});

test('claims: the type check comes first, then the payload (a wrong typ on a broken payload is a typ mismatch)', () => {
  assertCode(() => checkClaims('JWT', Buffer.from('not json'), { ...RULES, typ: 'at+jwt' }, NOW), 'auth.jwt_typ_mismatch');
});

// error.detail: which check failed, with expected and found where the value is not secret.
function detailOf(claims: unknown, rules: Partial<ClaimRules> = {}, scopes: string[] = [], typ?: string, now: number = NOW): unknown {
  const bytes = Buffer.from(typeof claims === 'string' ? claims : JSON.stringify(claims));
  const merged = { ...RULES, ...rules };
  try {
    const checked = checkClaims(typ, bytes, merged, now);
    checkScopes(checked.grantedScopes, merged.requiredScopes, scopes);
  } catch (error) {
    assert.ok(error instanceof AuthError, String(error));
    return error.detail;
  }
  return 'valid';
}

test('claims: each refusal\'s detail names the check, the expected and the found value (exact shapes)', () => {
  const tolerance = RULES.clockTolerance;
  const table: Array<[string, unknown, unknown, Partial<ClaimRules>?, string[]?, string?]> = [
    ['payload not an object', '[1]', { check: 'payload', expected: 'JSON object' }],
    ['exp a string', { ...BASE, exp: '1' }, { check: 'claim_type', claim: 'exp', expected: 'NumericDate', found: 'string' }],
    ['sub a number', { ...BASE, sub: 7 }, { check: 'claim_type', claim: 'sub', expected: 'string', found: 'number' }],
    ['aud an object', { ...BASE, aud: { a: 1 } }, { check: 'claim_type', claim: 'aud', expected: 'string or array of strings', found: 'object' }],
    ['scp numbers', { ...BASE, scp: [1] }, { check: 'claim_type', claim: 'scp', expected: 'string or array of strings', found: 'array' }],
    ['typ', BASE, { check: 'typ', expected: 'at+jwt', found: 'JWT' }, { typ: 'at+jwt' }, [], 'JWT'],
    ['typ missing', BASE, { check: 'typ', expected: 'at+jwt', found: undefined }, { typ: 'at+jwt' }],
    ['iss', { ...BASE, iss: 'https://evil.example' }, { check: 'iss', expected: RULES.issuer, found: 'https://evil.example' }],
    ['iss missing', without('iss'), { check: 'iss', expected: RULES.issuer, found: undefined }],
    ['aud', { ...BASE, aud: ['https://other.example'] }, { check: 'aud', expected: RULES.audiences, found: ['https://other.example'] }],
    ['exp missing', without('exp'), { check: 'exp', exp: undefined, now: NOW, tolerance }],
    ['expired', { ...BASE, exp: NOW - 5 }, { check: 'exp', exp: NOW - 5, now: NOW, tolerance }],
    ['nbf', { ...BASE, nbf: NOW + 6 }, { check: 'nbf', nbf: NOW + 6, now: NOW, tolerance }],
    ['iat in the future', { ...BASE, iat: NOW + 6 }, { check: 'iat', iat: NOW + 6, now: NOW, tolerance }],
    ['iat missing with maxTokenAge', without('iat'), { check: 'iat', iat: undefined, now: NOW, tolerance, maxTokenAge: 60 }, { maxTokenAge: 60 }],
    ['too old', { ...BASE, iat: NOW - 100 }, { check: 'iat', iat: NOW - 100, now: NOW, tolerance, maxTokenAge: 60 }, { maxTokenAge: 60 }],
    ['scopes', BASE, { check: 'scope', missing: ['admin', 'audit'], required: ['read:profile', 'admin', 'audit'] }, { requiredScopes: ['read:profile', 'admin'] }, ['audit', 'admin']],
  ];
  for (const [name, claims, detail, rules, scopes, typ] of table) assert.deepEqual(detailOf(claims, rules, scopes, typ), detail, name);
  assert.deepEqual(detailOf(BASE, {}, [], undefined, Number.NaN), { check: 'clock', now: Number.NaN });
});

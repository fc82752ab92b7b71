// Issue 13: nothing the client receives may carry the token, a piece of it, or a claim value.
// For every code in AUTH_ERROR_CODES a real AuthError is produced (through the verifier
// wherever a request can reach the code; otherwise by the public function that makes it),
// then every response piece is searched for the token, its segments and its distinctive
// claim values. The demo server is then asked over real HTTP and its answers searched alike.

import assert from 'node:assert/strict';
import { createPrivateKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  AUTH_ERROR_CODES, AuthError, createVerifier, importJwk, verifyCompactJws,
  type AuthErrorCode, type VerifierOptions,
} from '../src/index.js';
import { loadConfig, LOCAL_AUDIENCE } from '../src/demo/config.js';
import { startServer } from '../src/demo/server.js';
import { createDpopVerifier, type DpopRequest } from '../src/dpop/index.js';
import { createOrganizationVerifier } from '../src/logto/index.js';
import { badFixtureJwk, fixtureJwk, startKeyServer } from './support/key-server.js';
import { FIXTURES_DIR, fixturePath, readJson } from './support/vectors.js';

const NOW = 1_900_000_000; // seconds; every token below is judged at this instant
const ISSUER = 'https://leak-issuer-e1f0.example/oidc';
const AUDIENCE = 'https://leak-audience-5c2b.example';

// Claim values no response may echo: each distinctive enough that a hit is a leak.
const CLAIMS = {
  iss: ISSUER, aud: AUDIENCE, sub: 'leak-sub-9f2c1e', client_id: 'leak-client-4b7d',
  scope: 'leak-scope-alpha leak-scope-beta', email: 'leak-mail-3e8a@example.org',
  jti: 'leak-jti-77c0d2', organization_id: 'leak-org-51aa', iat: NOW - 30, exp: NOW + 3600,
};

const signingKey = createPrivateKey(readFileSync(join(FIXTURES_DIR, 'keys', 'es256.pem')));

/** A compact JWS signed by node:crypto (not our code) with the ES256 fixture key. */
function signed(header: Record<string, unknown>, payload: Record<string, unknown> | string): string {
  const encode = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode(header)}.${encode(payload)}`;
  const signature = sign('sha256', Buffer.from(signingInput), { key: signingKey, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}`;
}

const ES256 = { alg: 'ES256', kid: 'es256-1' };
const claims = (changes: Record<string, unknown> = {}) => {
  const merged: Record<string, unknown> = { ...CLAIMS, ...changes };
  for (const name of Object.keys(merged)) if (merged[name] === undefined) delete merged[name];
  return merged;
};
const VALID = signed(ES256, claims());

// Every string a response must not contain, for the request's token: the token, its
// segments, its claim values and (unless `claimsOnly`) its header values.
function forbiddenStrings(token: string, claimsOnly = false): string[] {
  const strings = new Set([token, ...token.split('.').filter((segment) => segment.length >= 8)]);
  for (const segment of token.split('.').slice(claimsOnly ? 1 : 0, 2)) {
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    } catch {
      continue;
    }
    const values = typeof decoded === 'object' && decoded !== null ? Object.values(decoded) : [];
    for (const value of values.flat()) {
      if (typeof value === 'string' && value.length >= 8) for (const word of [value, ...value.split(' ')]) strings.add(word);
      if (typeof value === 'number' && String(value).length >= 6) strings.add(String(value));
    }
  }
  // Words of ours that are also in every token: the fixture kid, alg, and "leak" itself are
  // not secrets; the distinctive values above are.
  for (const ours of ['es256-1', 'ES256']) strings.delete(ours);
  return [...strings];
}

/** The pieces of an AuthError that reach a client: message, challenge, and body/headers if it has them. */
function responsePieces(error: AuthError): Record<string, string> {
  const pieces: Record<string, string> = { message: error.message, wwwAuthenticate: error.wwwAuthenticate, json: JSON.stringify(error) };
  const extra = error as unknown as { body?: unknown; headers?: unknown };
  if (extra.body !== undefined) pieces['body'] = JSON.stringify(extra.body);
  if (extra.headers !== undefined) pieces['headers'] = JSON.stringify(extra.headers);
  return pieces;
}

function assertNoLeak(error: unknown, code: AuthErrorCode, token: string, secrets: readonly string[] = []): void {
  assert.ok(error instanceof AuthError, `${code}: expected an AuthError, got ${String(error)}`);
  assert.equal(error.code, code);
  for (const [piece, text] of Object.entries(responsePieces(error))) {
    for (const secret of [...forbiddenStrings(token), ...secrets]) {
      assert.ok(!text.includes(secret), `${code}: ${piece} contains ${JSON.stringify(secret.slice(0, 40))}`);
    }
  }
  // The server-side parts never serialise: neither `detail` (issue 13) nor `cause`.
  const serialised = JSON.parse(JSON.stringify(error)) as Record<string, unknown>;
  assert.ok(!('detail' in serialised) && !('cause' in serialised), `${code}: JSON.stringify(error) has ${Object.keys(serialised).join(', ')}`);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}

// ---- how each code is produced -----------------------------------------------------------

const staticOptions: VerifierOptions = {
  issuer: ISSUER, audience: AUDIENCE, jwks: readJson(fixturePath('jwks.json')), now: () => NOW * 1000,
};
const verifyStatic = createVerifier(staticOptions);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

const keyServer = await startKeyServer({ keys: [fixtureJwk('es256-1')] });
after(() => keyServer.close());
const remoteOptions = { issuer: keyServer.issuer, audience: AUDIENCE, now: () => NOW * 1000 };

/** A remote verifier while one route of the loopback issuer answers `body`. */
async function remoteRefusal(path: string, body: unknown, token: string): Promise<unknown> {
  keyServer.route(path, (_, response) => { response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)); });
  try {
    return await rejection(createVerifier(remoteOptions)(bearer(token)));
  } finally {
    keyServer.route(path, undefined);
  }
}

interface Produced {
  readonly token: string;
  readonly error: () => Promise<unknown>;
}

const throughVerifier = (token: string, headers = bearer(token), options: Partial<VerifierOptions> = {}, scopes?: string[]): Produced => ({
  token,
  error: () => rejection(createVerifierFor(options)(headers, scopes === undefined ? undefined : { scopes })),
});
const createVerifierFor = (options: Partial<VerifierOptions>) => (Object.keys(options).length === 0 ? verifyStatic : createVerifier({ ...staticOptions, ...options }));
const signedWith = (header: Record<string, unknown>, changes: Record<string, unknown> = {}) => signed(header, claims(changes));
const fromImportJwk = (jwk: Record<string, unknown>): Produced => ({ token: VALID, error: async () => rejection((async () => importJwk(jwk))()) });
const [headerSegment, payloadSegment, signatureSegment] = VALID.split('.') as [string, string, string];

const PRODUCERS: Partial<Record<AuthErrorCode, Produced>> = {
  'auth.authorization_header_missing': throughVerifier(VALID, { 'x-access-token': VALID } as never),
  'auth.authorization_token_invalid_format': throughVerifier(VALID, { authorization: `Bearer ${VALID} ${VALID}` }),
  'auth.authorization_token_type_not_supported': throughVerifier(VALID, { authorization: `Token ${VALID}` }),
  'auth.token_too_large': throughVerifier(VALID, bearer(VALID), { maxTokenLength: 64 }),
  'auth.jws_malformed': throughVerifier(`${VALID}.${payloadSegment}`),
  'auth.jwe_not_supported': throughVerifier(`${VALID}.${payloadSegment}.${signatureSegment}`),
  'auth.base64url_invalid': throughVerifier(`${VALID}=`),
  'auth.jws_header_invalid': throughVerifier(signedWith({ alg: 'ES256', kid: 12345678 })),
  'auth.jws_alg_not_allowed': throughVerifier(signedWith({ alg: 'HS256', kid: 'leak-kid-hs-0a9b' })),
  'auth.jws_crit_unsupported': throughVerifier(signedWith({ ...ES256, crit: ['leak-crit-c4d5'], 'leak-crit-c4d5': 'leak-crit-value-e6f7' })),
  'auth.jws_b64_unsupported': throughVerifier(signedWith({ ...ES256, b64: false })),
  'auth.jws_signature_invalid': throughVerifier(`${headerSegment}.${signed(ES256, claims({ sub: 'leak-other-sub-1d2e' })).split('.')[1]}.${signatureSegment}`),
  'auth.jwk_invalid': fromImportJwk({ kty: 'EC', crv: 'P-256', kid: 'leak-kid-short-8c1d', x: 'AAAA', y: 'AAAA' }),
  'auth.jwk_unsupported': fromImportJwk({ kty: 'leak-kty-2b3c', kid: 'leak-kid-kty-4d5e' }),
  'auth.jwk_private_key': fromImportJwk(badFixtureJwk('ec-private')),
  'auth.jwk_rsa_too_small': fromImportJwk(badFixtureJwk('rsa-1024')),
  'auth.jwk_not_for_signature': fromImportJwk({ ...fixtureJwk('es256-1'), use: 'enc' }),
  'auth.jwk_alg_mismatch': throughVerifier(signedWith({ alg: 'ES384', kid: 'es256-1' })),
  'auth.jwks_key_not_found': throughVerifier(signedWith({ alg: 'ES256', kid: 'leak-kid-unknown-6f7a' })),
  'auth.jwt_payload_invalid': throughVerifier(signed(ES256, 'leak-payload-text-not-json-3c4d')),
  'auth.jwt_claim_invalid': throughVerifier(signedWith(ES256, { exp: 'leak-exp-string-5e6f' })),
  'auth.jwt_exp_missing': throughVerifier(signedWith(ES256, { exp: undefined })),
  'auth.jwt_expired': throughVerifier(signedWith(ES256, { exp: NOW - 3600 })),
  'auth.jwt_not_yet_valid': throughVerifier(signedWith(ES256, { nbf: NOW + 3600 })),
  'auth.jwt_iat_in_future': throughVerifier(signedWith(ES256, { iat: NOW + 3600 })),
  'auth.jwt_too_old': throughVerifier(signedWith(ES256, { iat: NOW - 7200 }), undefined, { maxTokenAge: 60 }),
  'auth.jwt_iat_missing': throughVerifier(signedWith(ES256, { iat: undefined }), undefined, { maxTokenAge: 60 }),
  'auth.jwt_issuer_mismatch': throughVerifier(signedWith(ES256, { iss: 'https://leak-other-issuer-7a8b.example' })),
  'auth.jwt_audience_mismatch': throughVerifier(signedWith(ES256, { aud: ['https://leak-other-aud-9c0d.example'] })),
  'auth.jwt_typ_mismatch': throughVerifier(signedWith({ ...ES256, typ: 'leak-typ-1e2f+jwt' }), undefined, { typ: 'at+jwt' }),
  'auth.insufficient_scope': throughVerifier(VALID, undefined, {}, ['admin']),
  'auth.jwks_unavailable': { token: VALID, error: () => rejection(createVerifier({ ...remoteOptions, jwksUri: `${keyServer.origin}/no-such-jwks` })(bearer(VALID))) },
  'auth.jwks_invalid': { token: VALID, error: () => remoteRefusal(keyServer.jwksPath, { nokeys: 'leak-jwks-3a4b' }, VALID) },
  'auth.jwks_no_usable_key': { token: VALID, error: () => remoteRefusal(keyServer.jwksPath, { keys: [{ ...badFixtureJwk('rsa-1024'), kid: 'leak-kid-small-9d0e' }] }, VALID) },
  'auth.discovery_invalid': { token: VALID, error: () => remoteRefusal(keyServer.discoveryPath, { issuer: keyServer.issuer }, VALID) },
  'auth.discovery_issuer_mismatch': { token: VALID, error: () => remoteRefusal(keyServer.discoveryPath, { issuer: 'https://leak-discovered-5c6d.example', jwks_uri: `${keyServer.origin}${keyServer.jwksPath}` }, VALID) },
  'auth.jwks_uri_insecure': { token: VALID, error: () => remoteRefusal(keyServer.discoveryPath, { issuer: keyServer.issuer, jwks_uri: 'http://leak-host-7e8f.example/jwks' }, VALID) },
  // The catch-all: a key resolver that fails unexpectedly, with the token in its own error.
  'auth.verification_failed': {
    token: VALID,
    error: () => rejection(verifyCompactJws(VALID, () => { throw new Error(`resolver failed on ${VALID}`); })),
  },
};

// DPoP (RFC 9449) is a leaf with its own entry point around the verifier: its request-level
// codes come from it for real; the proof-content codes are constructed below.
const dpopOptions = { publicOrigin: 'https://api.example.com', now: () => NOW * 1000 };
const dpopAllowed = createDpopVerifier(verifyStatic, { ...dpopOptions, mode: 'allowed' });
const dpopRequired = createDpopVerifier(verifyStatic, { ...dpopOptions, mode: 'required' });
const dpopRequest = (headers: DpopRequest['headers']): DpopRequest => ({ method: 'GET', url: '/leak-path-0f1e', headers });
const BOUND = signed(ES256, claims({ cnf: { jkt: 'leak-jkt-2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3' } }));
Object.assign(PRODUCERS, {
  'auth.dpop_scheme_required': { token: VALID, error: () => rejection(dpopRequired(dpopRequest(bearer(VALID)))) },
  'auth.dpop_proof_missing': { token: VALID, error: () => rejection(dpopAllowed(dpopRequest({ authorization: `DPoP ${VALID}` }))) },
  'auth.dpop_proof_multiple': { token: VALID, error: () => rejection(dpopAllowed(dpopRequest({ authorization: `DPoP ${VALID}`, dpop: [VALID, VALID] }))) },
  'auth.dpop_proof_malformed': { token: VALID, error: () => rejection(dpopAllowed(dpopRequest({ authorization: `DPoP ${VALID}`, dpop: `${VALID}.x` }))) },
  'auth.dpop_bound_token_as_bearer': { token: BOUND, error: () => rejection(dpopAllowed(dpopRequest(bearer(BOUND)))) },
} satisfies Partial<Record<AuthErrorCode, Produced>>);

// Logto organizations: a leaf over the verifier; its three codes come from it for real.
const verifyOrganization = createOrganizationVerifier(verifyStatic, { apiAudience: AUDIENCE });
const GLOBAL = signed(ES256, claims({ organization_id: undefined }));
Object.assign(PRODUCERS, {
  'auth.organization_id_invalid': { token: VALID, error: () => rejection(verifyOrganization(bearer(VALID), { organization: 'leak:org 7b8c"' })) },
  'auth.organization_mismatch': { token: VALID, error: () => rejection(verifyOrganization(bearer(VALID), { organization: 'leak-route-org-3d4e' })) },
  'auth.organization_token_required': { token: GLOBAL, error: () => rejection(verifyOrganization(bearer(GLOBAL), { organization: 'leak-route-org-3d4e' })) },
} satisfies Partial<Record<AuthErrorCode, Produced>>);

// ---- the checks --------------------------------------------------------------------------

for (const code of AUTH_ERROR_CODES) {
  const producer = PRODUCERS[code];
  test(`no-leak: ${code} ${producer === undefined ? '(constructed)' : '(produced)'}: no response piece holds the token or a claim value`, async () => {
    if (producer !== undefined) {
      assertNoLeak(await producer.error(), code, producer.token);
      return;
    }
    // A code no request reaches here yet (added by a later feature): built the way the core
    // builds errors, with the token in its cause and its detail, which must stay server-side.
    const options = { cause: new Error(`failed on ${VALID}`), detail: { token: VALID, sub: CLAIMS.sub }, requiredScopes: ['admin'] };
    assertNoLeak(new AuthError(code, options as unknown as ConstructorParameters<typeof AuthError>[1]), code, VALID);
  });
}

// Codes of a leaf with its own entry point (DPoP, RFC 9449), which no request to the verifier
// reaches: the request-level ones are produced through the leaf, those about a proof's content
// are constructed. Every other code must be produced for real.
const LEAF_CODE = /^auth\.dpop_/;

test('no-leak: every code the verifier can reach is produced for real, not constructed', () => {
  // Fails when such a code joins the table without a producer above: add one.
  assert.deepEqual(AUTH_ERROR_CODES.filter((code) => PRODUCERS[code] === undefined && !LEAF_CODE.test(code)), []);
});

test('no-leak: the cause keeps the token for server logs while the response pieces do not', async () => {
  const error = await PRODUCERS['auth.verification_failed']!.error();
  assert.ok(error instanceof AuthError, `expected an AuthError, got ${String(error)}`);
  assert.match(String((error.cause as Error).message), new RegExp(VALID.replace(/\./g, '\\.')));
});

// ---- the demo server over HTTP -----------------------------------------------------------

test('no-leak: the demo server answers every refusal without the token or a claim value (body, headers, log)', async () => {
  // The demo's defaults (built-in issuer), as `npm start` would load them, on a free port.
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1' });
  const logLines: string[] = [];
  const running = await startServer(config, (line) => logLines.push(line));
  try {
    const issuer = running.localIssuer!;
    const mint = (changes: { audience?: string; expiresIn?: number } = {}) => issuer.mintToken({
      audience: LOCAL_AUDIENCE, sub: CLAIMS.sub, scope: CLAIMS.scope, clientId: CLAIMS.client_id, organizationId: CLAIMS.organization_id, ...changes,
    });
    const token = mint();
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const requests: Array<[string, string, string, number]> = [
      ['/admin/stats', `Bearer ${token}`, 'auth.insufficient_scope', 403],
      ['/user/info', `Bearer ${mint({ expiresIn: -3600 })}`, 'auth.jwt_expired', 401],
      ['/user/info', `Bearer ${mint({ audience: 'https://leak-demo-aud-2f3a.example' })}`, 'auth.jwt_audience_mismatch', 401],
      ['/user/info', `Bearer ${header}.${payload}.${signature.slice(0, -4)}AAAA`, 'auth.jws_signature_invalid', 401],
      ['/user/info', `Bearer ${token} ${token}`, 'auth.authorization_token_invalid_format', 401],
      ['/user/info', `Token ${token}`, 'auth.authorization_token_type_not_supported', 401],
    ];
    for (const [path, authorization, code, status] of requests) {
      const response = await fetch(`${running.url}${path}`, { headers: { authorization } });
      const body = await response.text();
      assert.equal(response.status, status, `${path} ${code}`);
      assert.equal((JSON.parse(body) as { code: string }).code, code);
      const presented = authorization.split(' ').slice(1);
      const secrets = [...new Set(presented.flatMap((piece) => forbiddenStrings(piece)))];
      const headers = [...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n');
      for (const secret of secrets) {
        assert.ok(!body.includes(secret), `${code}: body contains ${JSON.stringify(secret.slice(0, 40))}`);
        assert.ok(!headers.includes(secret), `${code}: headers contain ${JSON.stringify(secret.slice(0, 40))}`);
      }
      // The log names the issuer, its URL and kid (published, and ours): only the token and
      // the other claims are kept out of it.
      const ours = [running.issuer, LOCAL_AUDIENCE];
      for (const secret of new Set(presented.flatMap((piece) => forbiddenStrings(piece, true)).filter((value) => !ours.includes(value)))) {
        assert.ok(!logLines.some((line) => line.includes(secret)), `${code}: the log contains ${JSON.stringify(secret.slice(0, 40))}`);
      }
    }
  } finally {
    await running.close();
  }
});

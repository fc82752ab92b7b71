// The DPoP cases every adapter must pass, on a real node:http server: the adapter is given
// a DPoP verifier in place of the plain one, and must hand the verifier the request's method
// and target and send the DPoP challenge and nonce. Proofs, tokens and the expected nonce are
// made here with node:crypto; the challenges are written out from RFC 9449 §7.1 and §9.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { RequestListener } from 'node:http';
import { test } from 'node:test';
import { createDpopVerifier, type DpopVerifier } from '../../src/dpop/index.js';
import { AUDIENCE, ISSUER, verify, withServer } from './adapter-setup.js';
import { clientKey, makeProof } from './dpop.js';
import { signToken } from './key-server.js';

/** The origin clients use; the test server listens elsewhere (127.0.0.1), as behind a proxy. */
export const PUBLIC_ORIGIN = 'https://api.test';
/** Where the route is; adapters that mount (Express) see `/resource` in req.url. */
export const PATH = '/api/resource';
const ALGS = 'ES256 ES384 ES512 RS256 RS384 RS512 PS256 PS384 PS512 EdDSA Ed25519';
const NONCE_SECRET = Buffer.alloc(32, 9);
const NONCE_ROTATION_SECONDS = 3600;

const client = clientKey('ES256');

/** An access token bound to the client key (RFC 9449 §6.1 cnf.jkt). */
export function boundToken(scope = 'read:profile'): string {
  const now = Math.floor(Date.now() / 1000);
  return signToken('ES384', 'es384-1', { sub: 'user_123', iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 60, scope, cnf: { jkt: client.jkt } });
}

/** A proof for `method` and `PUBLIC_ORIGIN + path`, by the token's key. */
export const proof = (token: string, method = 'GET', path = PATH, claims: Record<string, unknown> = {}) =>
  makeProof({ key: client, method, url: `${PUBLIC_ORIGIN}${path}`, accessToken: token, claims });

export const dpopVerifier = (nonces = false): DpopVerifier => createDpopVerifier(verify, {
  mode: 'allowed', publicOrigin: PUBLIC_ORIGIN, ...(nonces ? { nonce: { secret: NONCE_SECRET, rotationSeconds: NONCE_ROTATION_SECONDS } } : {}),
});

// §9 nonces as the verifier makes them, computed here independently: HMAC-SHA256 of the time
// slot. The current and the previous slot, so a test crossing a slot boundary still passes.
export function acceptableNonces(): string[] {
  const slot = Math.floor(Date.now() / 1000 / NONCE_ROTATION_SECONDS);
  return [slot, slot - 1].map((s) => createHmac('sha256', NONCE_SECRET).update(`dpop-nonce:${s}`).digest('base64url'));
}

interface Answer { status: number; challenge: string | null; nonce: string | null; code: string | undefined; sub: string | undefined }

async function call(url: string, method: string, headers: Record<string, string>, path = PATH): Promise<Answer> {
  const response = await fetch(new URL(`${path.slice(1)}?page=2`, url), { method, headers });
  const body = (await response.json()) as { code?: string; sub?: string };
  return {
    status: response.status, challenge: response.headers.get('www-authenticate'), nonce: response.headers.get('dpop-nonce'),
    code: body.code, sub: body.sub,
  };
}

const refusal = (code: string, challenge: string, nonce: string | null = null): Partial<Answer> => ({ status: 401, challenge, nonce, code });
const pick = (answer: Answer, expected: Partial<Answer>) => Object.fromEntries(Object.keys(expected).map((name) => [name, answer[name as keyof Answer]]));

/**
 * Registers the DPoP tests for one adapter. `listenerFor(verifyRequest)` is a node:http
 * listener whose route is protected by the adapter with that DPoP verifier and answers
 * `{ sub }` with status 200.
 */
export function testDpopAdapter(adapter: string, listenerFor: (verifyRequest: DpopVerifier) => RequestListener): void {
  test(`${adapter} with DPoP: a bound token with a proof for this method and URL → 200`, async () => {
    await withServer(listenerFor(dpopVerifier()), async (url) => {
      const token = boundToken();
      for (const [method, path] of [['POST', PATH], ['DELETE', '/api/other/7']] as const) {
        const answer = await call(url, method, { authorization: `DPoP ${token}`, dpop: proof(token, method, path) }, path);
        assert.deepEqual(pick(answer, { status: 200, sub: 'user_123', nonce: null }), { status: 200, sub: 'user_123', nonce: null }, `${method} ${path}`);
      }
    });
  });

  test(`${adapter} with DPoP: the method and URL are the request's (a proof for another → 401)`, async () => {
    await withServer(listenerFor(dpopVerifier()), async (url) => {
      const token = boundToken();
      const dpopChallenge = (message: string) => `DPoP realm="api", error="invalid_dpop_proof", error_description="${message}", algs="${ALGS}", Bearer realm="api"`;
      const rows: Array<[string, Partial<Answer>]> = [
        [proof(token, 'POST'), refusal('auth.dpop_proof_htm_mismatch', dpopChallenge('The DPoP proof htm is not the request method.'))],
        [proof(token, 'GET', '/resource'), refusal('auth.dpop_proof_htu_mismatch', dpopChallenge('The DPoP proof htu is not the request URL.'))],
      ];
      for (const [dpop, expected] of rows) {
        assert.deepEqual(pick(await call(url, 'GET', { authorization: `DPoP ${token}`, dpop }), expected), expected);
      }
    });
  });

  test(`${adapter} with DPoP: a bound token as Bearer (downgrade) → 401 with the DPoP challenge`, async () => {
    await withServer(listenerFor(dpopVerifier()), async (url) => {
      const expected = refusal('auth.dpop_bound_token_as_bearer',
        `Bearer realm="api", error="invalid_token", error_description="The access token is DPoP-bound and cannot be used as a Bearer token.", DPoP realm="api", algs="${ALGS}"`);
      assert.deepEqual(pick(await call(url, 'GET', { authorization: `Bearer ${boundToken()}` }), expected), expected);
    });
  });

  test(`${adapter} with DPoP: no proof → 401 invalid_dpop_proof`, async () => {
    await withServer(listenerFor(dpopVerifier()), async (url) => {
      const expected = refusal('auth.dpop_proof_missing',
        `DPoP realm="api", error="invalid_dpop_proof", error_description="The request uses the DPoP scheme but carries no DPoP proof header.", algs="${ALGS}", Bearer realm="api"`);
      assert.deepEqual(pick(await call(url, 'GET', { authorization: `DPoP ${boundToken()}` }), expected), expected);
    });
  });

  test(`${adapter} with DPoP: a replayed proof → 401 auth.dpop_proof_replayed`, async () => {
    await withServer(listenerFor(dpopVerifier()), async (url) => {
      const token = boundToken();
      const headers = { authorization: `DPoP ${token}`, dpop: proof(token) };
      assert.equal((await call(url, 'GET', headers)).status, 200);
      const expected = refusal('auth.dpop_proof_replayed',
        `DPoP realm="api", error="invalid_dpop_proof", error_description="The DPoP proof has been used before (jti).", algs="${ALGS}", Bearer realm="api"`);
      assert.deepEqual(pick(await call(url, 'GET', headers), expected), expected);
    });
  });

  test(`${adapter} with DPoP nonces: use_dpop_nonce with DPoP-Nonce, then 200 with DPoP-Nonce`, async () => {
    await withServer(listenerFor(dpopVerifier(true)), async (url) => {
      const token = boundToken();
      const first = await call(url, 'GET', { authorization: `DPoP ${token}`, dpop: proof(token) });
      const expected = refusal('auth.dpop_nonce_required',
        `DPoP realm="api", error="use_dpop_nonce", error_description="The DPoP proof must carry the nonce from the DPoP-Nonce header.", algs="${ALGS}", Bearer realm="api"`,
        first.nonce);
      assert.deepEqual(pick(first, expected), expected);
      assert.ok(first.nonce !== null && acceptableNonces().includes(first.nonce), `the current nonce, got ${first.nonce}`);
      // Every refusal names the nonce (§9), not only use_dpop_nonce.
      const downgrade = await call(url, 'GET', { authorization: `Bearer ${token}` });
      assert.deepEqual([downgrade.code, downgrade.nonce], ['auth.dpop_bound_token_as_bearer', first.nonce]);
      const retry = await call(url, 'GET', { authorization: `DPoP ${token}`, dpop: proof(token, 'GET', PATH, { nonce: first.nonce }) });
      assert.deepEqual(pick(retry, { status: 200, sub: 'user_123', nonce: first.nonce }), { status: 200, sub: 'user_123', nonce: first.nonce });
    });
  });
}

/** A node:http listener that hands a WHATWG Request to `handle` and writes its Response. */
export function fetchListener(handle: (request: Request) => Promise<Response>): RequestListener {
  return (req, res) => {
    const headers = new Headers();
    for (const [name, values] of Object.entries(req.headersDistinct)) for (const value of values ?? []) headers.append(name, value);
    const request = new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers });
    void handle(request).then(async (response) => {
      res.writeHead(response.status, Object.fromEntries(response.headers)).end(Buffer.from(await response.arrayBuffer()));
    }, (error: unknown) => res.writeHead(500).end(String(error)));
  };
}

// Interop with node-oidc-provider (the engine under Logto), as a dev tool only: it issues a
// DPoP-bound JWT access token (client_credentials, resource indicator, RFC 9068 format) and
// clearjwt/dpop, finding the provider's keys by discovery, accepts the token with a proof
// and refuses it without one. Proofs are signed here with node:crypto.

import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import Provider from 'oidc-provider';
import { AuthError, createVerifier } from 'clearjwt';
import { createDpopVerifier } from 'clearjwt/dpop';

const RESOURCE = 'https://api.example.com';
const clientKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const clientJwk = clientKey.publicKey.export({ format: 'jwk' });

function proof(method, url, accessToken) {
  const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claims = { jti: randomUUID(), htm: method, htu: url, iat: Math.floor(Date.now() / 1000) };
  if (accessToken !== undefined) claims.ath = createHash('sha256').update(accessToken).digest('base64url');
  const input = `${b64({ typ: 'dpop+jwt', alg: 'ES256', jwk: clientJwk })}.${b64(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key: clientKey.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

let issuerServer;
let apiServer;
let issuer;
let apiOrigin;
before(async () => {
  issuerServer = createServer();
  issuerServer.listen(0, '127.0.0.1');
  await once(issuerServer, 'listening');
  issuer = `http://127.0.0.1:${issuerServer.address().port}`;
  const signingKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const provider = new Provider(issuer, {
    jwks: { keys: [{ ...signingKey, kid: 'provider-es256', alg: 'ES256', use: 'sig' }] },
    clients: [{
      client_id: 'm2m', client_secret: 'a-long-enough-client-secret-for-tests',
      grant_types: ['client_credentials'], redirect_uris: [], response_types: [], id_token_signed_response_alg: 'ES256',
    }],
    clientBasedCORS: () => true,
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      dPoP: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: 'read:data', audience: RESOURCE, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } }),
      },
    },
  });
  issuerServer.on('request', provider.callback());

  const verify = createVerifier({ issuer, audience: RESOURCE, typ: 'at+jwt' });
  await verify.ready();
  apiServer = createServer(async (req, res) => {
    const verifyRequest = verifiers[req.headers['x-mode']];
    try {
      const claims = await verifyRequest({ method: req.method, url: req.url, headers: req.headersDistinct });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(claims));
    } catch (error) {
      const authError = error instanceof AuthError ? error : new AuthError('auth.verification_failed');
      res.writeHead(authError.status, { 'www-authenticate': authError.wwwAuthenticate, 'content-type': 'application/json' })
        .end(JSON.stringify({ code: authError.code }));
    }
  });
  apiServer.listen(0, '127.0.0.1');
  await once(apiServer, 'listening');
  apiOrigin = `http://127.0.0.1:${apiServer.address().port}`;
  verifiers.allowed = createDpopVerifier(verify, { mode: 'allowed', publicOrigin: apiOrigin });
  verifiers.required = createDpopVerifier(verify, { mode: 'required', publicOrigin: apiOrigin });
});
const verifiers = {};
after(() => {
  for (const server of [issuerServer, apiServer]) { server?.closeAllConnections(); server?.close(); }
});

async function dpopBoundToken() {
  const tokenEndpoint = `${issuer}/token`;
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from('m2m:a-long-enough-client-secret-for-tests').toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      dpop: proof('POST', tokenEndpoint),
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', resource: RESOURCE, scope: 'read:data' }),
  });
  const body = await response.json();
  assert.equal(response.status, 200, JSON.stringify(body));
  assert.equal(body.token_type, 'DPoP');
  return body.access_token;
}

const callApi = (mode, headers) => fetch(`${apiOrigin}/data?x=1`, { headers: { 'x-mode': mode, ...headers } })
  .then(async (response) => ({ status: response.status, challenge: response.headers.get('www-authenticate'), body: await response.json() }));

test('node-oidc-provider issues a DPoP-bound JWT access token (cnf.jkt, typ at+jwt)', async () => {
  const token = await dpopBoundToken();
  const [header, payload] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')));
  assert.equal(header.typ, 'at+jwt');
  assert.equal(payload.aud, RESOURCE);
  const expectedJkt = createHash('sha256').update(JSON.stringify({ crv: clientJwk.crv, kty: clientJwk.kty, x: clientJwk.x, y: clientJwk.y })).digest('base64url');
  assert.equal(payload.cnf.jkt, expectedJkt);
});

test('clearjwt accepts the bound token with a proof, in both modes', async () => {
  const token = await dpopBoundToken();
  for (const mode of ['allowed', 'required']) {
    const result = await callApi(mode, { authorization: `DPoP ${token}`, dpop: proof('GET', `${apiOrigin}/data`, token) });
    assert.equal(result.status, 200, `${mode}: ${JSON.stringify(result.body)}`);
    assert.equal(result.body.client_id, 'm2m');
  }
});

test('clearjwt refuses the bound token without a proof, as Bearer, or with a proof of another key', async () => {
  const token = await dpopBoundToken();
  const noProof = await callApi('allowed', { authorization: `DPoP ${token}` });
  assert.equal(noProof.status, 401);
  assert.equal(noProof.body.code, 'auth.dpop_proof_missing');
  assert.match(noProof.challenge, /^DPoP realm="api", error="invalid_dpop_proof"/);

  const asBearer = await callApi('allowed', { authorization: `Bearer ${token}` });
  assert.equal(asBearer.body.code, 'auth.dpop_bound_token_as_bearer');
  assert.equal((await callApi('required', { authorization: `Bearer ${token}` })).body.code, 'auth.dpop_scheme_required');

  const thief = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const thiefJwk = thief.publicKey.export({ format: 'jwk' });
  const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${b64({ typ: 'dpop+jwt', alg: 'ES256', jwk: thiefJwk })}.${b64({
    jti: randomUUID(), htm: 'GET', htu: `${apiOrigin}/data`, iat: Math.floor(Date.now() / 1000),
    ath: createHash('sha256').update(token).digest('base64url'),
  })}`;
  const stolen = `${input}.${sign('sha256', Buffer.from(input), { key: thief.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
  assert.equal((await callApi('allowed', { authorization: `DPoP ${token}`, dpop: stolen })).body.code, 'auth.dpop_key_binding_mismatch');
});

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthError } from '../src/errors.js';
import { discoverJwksUri, discoveryUrl } from '../src/remote/discovery.js';
import type { FetchLimits } from '../src/remote/fetch-json.js';
import { sendJson, startKeyServer, type KeyServer } from './support/key-server.js';

const LIMITS: FetchLimits = { timeoutMs: 1_000, maxResponseBytes: 64 * 1024 };
let server: KeyServer;
before(async () => { server = await startKeyServer({ keys: [] }); });
after(() => server.close());

async function refused(promise: Promise<unknown>, code: string): Promise<AuthError> {
  const error = await promise.then(() => assert.fail('expected a failure'), (e: unknown) => e);
  assert.ok(error instanceof AuthError, `expected an AuthError, got ${String(error)}`);
  assert.equal(error.code, code);
  return error;
}

test('discoveryUrl appends to the issuer path, dropping one trailing slash (OIDC Discovery §4.1)', () => {
  const cases: readonly [issuer: string, url: string | undefined][] = [
    ['https://t.logto.app/oidc', 'https://t.logto.app/oidc/.well-known/openid-configuration'],
    ['https://t.logto.app/oidc/', 'https://t.logto.app/oidc/.well-known/openid-configuration'],
    ['https://accounts.example.com', 'https://accounts.example.com/.well-known/openid-configuration'],
    ['https://accounts.example.com/', 'https://accounts.example.com/.well-known/openid-configuration'],
    ['http://localhost:3001/oidc', 'http://localhost:3001/oidc/.well-known/openid-configuration'],
    ['http://t.logto.app/oidc', undefined],
    ['https://t.logto.app/oidc?tenant=a', undefined],
    ['https://t.logto.app/oidc#x', undefined],
    ['https://t.logto.app/oidc?', undefined],
    ['t.logto.app/oidc', undefined],
  ];
  for (const [issuer, url] of cases) assert.equal(discoveryUrl(issuer)?.href, url, issuer);
});

test('the document\'s jwks_uri comes back', async () => {
  const before = server.count(server.discoveryPath);
  const jwksUri = await discoverJwksUri(server.issuer, LIMITS);
  assert.equal(jwksUri.href, `${server.origin}${server.jwksPath}`);
  assert.equal(server.count(server.discoveryPath), before + 1);
});

test('an issuer with a trailing slash must be matched with its trailing slash (§4.3)', async () => {
  // Same discovery URL for both spellings; the document says ".../oidc", so only that one passes.
  await refused(discoverJwksUri(`${server.issuer}/`, LIMITS), 'auth.discovery_issuer_mismatch');
});

test('a document naming another issuer is refused (§4.3)', async () => {
  const others = ['https://evil.example/oidc', `${server.issuer}/`, server.issuer.toUpperCase(), undefined, 42];
  for (const issuer of others) {
    server.route(server.discoveryPath, (_, response) => sendJson(response, 200, { issuer, jwks_uri: `${server.origin}/oidc/jwks` }));
    await refused(discoverJwksUri(server.issuer, LIMITS), 'auth.discovery_issuer_mismatch');
  }
  server.route(server.discoveryPath, undefined);
});

test('a missing or malformed jwks_uri is discovery_invalid', async () => {
  for (const jwksUri of [undefined, 42, '', 'not a url', ['https://a.example/jwks']]) {
    server.route(server.discoveryPath, (_, response) => sendJson(response, 200, { issuer: server.issuer, jwks_uri: jwksUri }));
    await refused(discoverJwksUri(server.issuer, LIMITS), 'auth.discovery_invalid');
  }
  server.route(server.discoveryPath, undefined);
});

test('a document that is not a JSON object, or cannot be fetched, is discovery_invalid (the step that failed)', async () => {
  server.route(server.discoveryPath, (_, response) => response.writeHead(200).end('<html>'));
  await refused(discoverJwksUri(server.issuer, LIMITS), 'auth.discovery_invalid');
  server.route(server.discoveryPath, (_, response) => sendJson(response, 404, {}));
  await refused(discoverJwksUri(server.issuer, LIMITS), 'auth.discovery_invalid');
  server.route(server.discoveryPath, (request) => request.socket.destroy());
  await refused(discoverJwksUri(server.issuer, LIMITS), 'auth.discovery_invalid');
  server.route(server.discoveryPath, undefined);
});

test('issuer and jwks_uri are the document\'s own members: a polluted Object.prototype supplies neither', async () => {
  const prototype = Object.prototype as Record<string, unknown>;
  try {
    prototype['jwks_uri'] = `${server.origin}/attacker/jwks`;
    server.route(server.discoveryPath, (_, response) => sendJson(response, 200, { issuer: server.issuer }));
    await refused(discoverJwksUri(server.issuer, LIMITS), 'auth.discovery_invalid');
    delete prototype['jwks_uri'];
    prototype['issuer'] = server.issuer;
    server.route(server.discoveryPath, (_, response) => sendJson(response, 200, { jwks_uri: `${server.origin}${server.jwksPath}` }));
    await refused(discoverJwksUri(server.issuer, LIMITS), 'auth.discovery_issuer_mismatch');
  } finally {
    delete prototype['jwks_uri'];
    delete prototype['issuer'];
    server.route(server.discoveryPath, undefined);
  }
});

test('an http:// non-loopback jwks_uri is refused before any request leaves', async () => {
  // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): even a bug could not reach a real host there.
  server.route(server.discoveryPath, (_, response) => sendJson(response, 200, { issuer: server.issuer, jwks_uri: 'http://192.0.2.1/jwks' }));
  const realFetch = globalThis.fetch;
  const fetched: string[] = [];
  globalThis.fetch = (input, init) => { fetched.push(String(input)); return realFetch(input, init); };
  try {
    const error = await refused(discoverJwksUri(server.issuer, LIMITS), 'auth.jwks_uri_insecure');
    assert.equal(error.status, 503);
    assert.deepEqual(fetched, [`${server.issuer}/.well-known/openid-configuration`]);
  } finally {
    globalThis.fetch = realFetch;
    server.route(server.discoveryPath, undefined);
  }
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, LOCAL_AUDIENCE, loadConfig } from '../src/demo/config.js';

test('defaults: local issuer, 127.0.0.1:3000, CORS *, no required scopes', () => {
  assert.deepEqual(loadConfig({}), {
    issuer: undefined, audience: LOCAL_AUDIENCE, jwksUri: undefined, port: 3000, host: '127.0.0.1', corsOrigin: '*', requiredScopes: [], dpop: 'off',
  });
});

test('Logto: ISSUER + AUDIENCE, REQUIRED_SCOPES split on spaces and commas', () => {
  const config = loadConfig({
    ISSUER: 'https://tenant.logto.app/oidc', AUDIENCE: 'https://api.example.com', PORT: '8080', HOST: '0.0.0.0',
    CORS_ORIGIN: 'http://localhost:5173', REQUIRED_SCOPES: 'read:profile, write:profile  admin', JWKS_URI: 'https://tenant.logto.app/oidc/jwks',
  });
  assert.equal(config.issuer, 'https://tenant.logto.app/oidc');
  assert.equal(config.jwksUri, 'https://tenant.logto.app/oidc/jwks');
  assert.equal(config.port, 8080);
  assert.equal(config.host, '0.0.0.0');
  assert.equal(config.corsOrigin, 'http://localhost:5173');
  assert.deepEqual(config.requiredScopes, ['read:profile', 'write:profile', 'admin']);
});

test('DPOP=allowed|required turns the DPoP leaf on', () => {
  assert.equal(loadConfig({ DPOP: 'allowed' }).dpop, 'allowed');
  assert.equal(loadConfig({ DPOP: 'required' }).dpop, 'required');
  assert.equal(loadConfig({ DPOP: 'off' }).dpop, 'off');
});

test('empty variables count as unset', () => {
  assert.equal(loadConfig({ ISSUER: '', PORT: ' ' }).port, 3000);
});

// Each bad value fails with a message that starts with the variable to fix.
const BAD: Array<[string, Record<string, string>, string]> = [
  ['PORT not a number', { PORT: 'abc' }, 'PORT'],
  ['PORT out of range', { PORT: '70000' }, 'PORT'],
  ['PORT negative', { PORT: '-1' }, 'PORT'],
  ['ISSUER without AUDIENCE', { ISSUER: 'https://tenant.logto.app/oidc' }, 'AUDIENCE'],
  ['ISSUER not a URL', { ISSUER: 'tenant.logto.app', AUDIENCE: 'x' }, 'ISSUER'],
  ['JWKS_URI without ISSUER', { JWKS_URI: 'https://tenant.logto.app/oidc/jwks' }, 'JWKS_URI'],
  ['JWKS_URI not a URL', { ISSUER: 'https://t.logto.app/oidc', AUDIENCE: 'x', JWKS_URI: 'jwks' }, 'JWKS_URI'],
  ['CORS_ORIGIN with a path', { CORS_ORIGIN: 'http://localhost:5173/app' }, 'CORS_ORIGIN'],
  ['CORS_ORIGIN not a URL', { CORS_ORIGIN: 'localhost' }, 'CORS_ORIGIN'],
  ['REQUIRED_SCOPES with a quote', { REQUIRED_SCOPES: 'read "admin"' }, 'REQUIRED_SCOPES'],
  ['DPOP not a mode', { DPOP: 'on' }, 'DPOP'],
];

for (const [name, env, variable] of BAD) {
  test(`bad configuration: ${name} → names ${variable}`, () => {
    assert.throws(() => loadConfig(env), (error: unknown) => error instanceof ConfigError && error.message.startsWith(`${variable} `));
  });
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLoopbackHost, parseDiscoveredKeyUrl, parseKeyUrl } from '../src/remote/url-policy.js';

const CASES: readonly [url: string, allowed: boolean][] = [
  ['https://t.logto.app/oidc', true],
  ['https://t.logto.app/oidc/jwks?x=1', true],
  ['HTTPS://T.LOGTO.APP/oidc', true],
  ['http://localhost:3001/oidc', true],
  ['http://127.0.0.1/jwks', true],
  ['http://127.255.1.2/jwks', true],
  ['http://127.1/jwks', true], // WHATWG URL normalises it to 127.0.0.1
  ['http://0x7f.0.0.1/jwks', true],
  ['http://[::1]:8080/jwks', true],
  ['http://t.logto.app/oidc', false],
  ['http://192.0.2.1/jwks', false],
  ['http://128.0.0.1/jwks', false],
  ['http://localhost.evil.example/jwks', false],
  ['http://127.0.0.1.evil.example/jwks', false],
  ['http://[::2]/jwks', false],
  ['http://[::ffff:127.0.0.1]/jwks', false],
  ['https://user:pass@t.logto.app/oidc', false],
  ['https://user@t.logto.app/oidc', false],
  ['ftp://t.logto.app/jwks', false],
  ['file:///etc/jwks.json', false],
  ['data:application/json,{}', false],
  ['/oidc/jwks', false],
  ['not a url', false],
  ['', false],
];

test('parseKeyUrl: https anywhere, http only to loopback, no credentials', () => {
  for (const [url, allowed] of CASES) {
    assert.equal(parseKeyUrl(url) !== undefined, allowed, url);
  }
});

test('isLoopbackHost takes parsed hostnames', () => {
  assert.equal(isLoopbackHost('localhost'), true);
  assert.equal(isLoopbackHost('127.0.0.1'), true);
  assert.equal(isLoopbackHost('[::1]'), true);
  assert.equal(isLoopbackHost('::1'), false); // URL.hostname keeps the brackets
  assert.equal(isLoopbackHost('10.0.0.1'), false);
});

test('parseDiscoveredKeyUrl: plain http jwks_uri only from a plain-http (loopback) issuer', () => {
  const cases: readonly [documentUrl: string, jwksUri: string, allowed: boolean][] = [
    ['http://127.0.0.1:3001/oidc/.well-known/openid-configuration', 'http://127.0.0.1:3001/oidc/jwks', true],
    ['http://localhost/oidc/.well-known/openid-configuration', 'http://[::1]/jwks', true],
    ['http://127.0.0.1/oidc/.well-known/openid-configuration', 'https://t.logto.app/oidc/jwks', true],
    ['https://t.logto.app/oidc/.well-known/openid-configuration', 'https://keys.logto.app/jwks', true],
    // An https issuer may not send us to plain http, even on this machine.
    ['https://t.logto.app/oidc/.well-known/openid-configuration', 'http://127.0.0.1/jwks', false],
    ['https://t.logto.app/oidc/.well-known/openid-configuration', 'http://localhost:3001/jwks', false],
    ['https://t.logto.app/oidc/.well-known/openid-configuration', 'http://[::1]/jwks', false],
    // And parseKeyUrl's rules still hold.
    ['http://127.0.0.1/oidc/.well-known/openid-configuration', 'http://192.0.2.1/jwks', false],
    ['https://t.logto.app/oidc/.well-known/openid-configuration', 'https://u:p@t.logto.app/jwks', false],
    ['https://t.logto.app/oidc/.well-known/openid-configuration', 'not a url', false],
  ];
  for (const [documentUrl, jwksUri, allowed] of cases) {
    assert.equal(parseDiscoveredKeyUrl(jwksUri, new URL(documentUrl))?.href, allowed ? new URL(jwksUri).href : undefined, `${documentUrl} → ${jwksUri}`);
  }
});

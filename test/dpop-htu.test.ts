import assert from 'node:assert/strict';
import { test } from 'node:test';
import { htuMatches, normalizeHtu } from '../src/dpop/htu.js';
import { assertAllAsExpected } from './support/outcome.js';

const REQUEST = 'https://api.example.com/users/me';

// RFC 3986 §6.2.2 (syntax) and §6.2.3 (scheme) normalisation: which spellings are the same URL.
const EQUAL: Array<[string, string]> = [
  ['identical', REQUEST],
  ['scheme in capitals (§6.2.2.1)', 'HTTPS://api.example.com/users/me'],
  ['host in capitals (§6.2.2.1)', 'https://API.EXAMPLE.COM/users/me'],
  ['default port 443 (§6.2.3)', 'https://api.example.com:443/users/me'],
  ['encoded unreserved letters (§6.2.2.2)', 'https://api.example.com/%75sers/%6De'],
  ['encoded unreserved in lower-case hex', 'https://api.example.com/%75sers/m%65'],
  ['dot segments (§6.2.2.3)', 'https://api.example.com/users/./x/../me'],
  ['encoded dot segment', 'https://api.example.com/users/%2e%2E/users/me'],
  ['query ignored (RFC 9449 §4.3)', 'https://api.example.com/users/me?a=1'],
  ['fragment ignored', 'https://api.example.com/users/me#top'],
];

const DIFFERENT: Array<[string, string]> = [
  ['other host', 'https://api.example.org/users/me'],
  ['other scheme', 'http://api.example.com/users/me'],
  ['other port', 'https://api.example.com:8443/users/me'],
  ['port 80 on https is not default', 'https://api.example.com:80/users/me'],
  ['trailing dot on the host (another reg-name in RFC 3986)', 'https://api.example.com./users/me'],
  ['path case (paths are case-sensitive)', 'https://api.example.com/Users/me'],
  ['trailing slash', 'https://api.example.com/users/me/'],
  ['encoded slash (reserved, stays encoded)', 'https://api.example.com/users%2Fme'],
  ['userinfo', 'https://someone@api.example.com/users/me'],
  ['backslash (not a URI character)', 'https://api.example.com\\users\\me'],
  ['space', 'https://api.example.com/users/ me'],
  ['relative', '/users/me'],
  ['another scheme entirely', 'wss://api.example.com/users/me'],
  ['empty', ''],
];

test('dpop htu: spellings equal after normalisation match', () => {
  assertAllAsExpected(EQUAL.map(([name, htu]) => ({ name, expected: true, actual: htuMatches(htu, REQUEST) })));
});

test('dpop htu: spellings of other URLs do not', () => {
  assertAllAsExpected(DIFFERENT.map(([name, htu]) => ({ name, expected: false, actual: htuMatches(htu, REQUEST) })));
});

test('dpop htu: both sides are normalised, and an unusable request URL matches nothing', () => {
  assert.equal(htuMatches(REQUEST, 'https://API.example.com:443/users/./me?x'), true);
  assert.equal(htuMatches('https://example.com/', 'https://example.com'), true, 'empty path is "/" (§6.2.3)');
  assert.equal(htuMatches(REQUEST, 'not a url'), false);
});

test('dpop htu: the normal form', () => {
  assert.equal(normalizeHtu('HTTPS://Api.Example.com:443/a/../%7eb/%c3%a9?q#f'), 'https://api.example.com/~b/%C3%A9');
  assert.equal(normalizeHtu('http://[::1]:80/'), 'http://[::1]/');
  assert.equal(normalizeHtu('ftp://example.com/'), undefined);
});

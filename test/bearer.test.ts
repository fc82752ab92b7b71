import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { test } from 'node:test';
import { extractBearerToken, type HeadersInput } from '../src/bearer.js';
import { outcomeOf } from './support/outcome.js';
import { AuthError, type AuthErrorCode } from '../src/errors.js';

const TOKEN = 'eyJhbGciOiJFUzM4NCJ9.eyJzdWIiOiJ1In0.c2ln';

// Every shape of headers a Node user has, each built from one Authorization value.
const SHAPES: Record<string, (authorization: string) => HeadersInput> = {
  'IncomingHttpHeaders (lower-case)': (value) => ({ host: 'api', authorization: value }) satisfies IncomingHttpHeaders,
  'IncomingHttpHeaders (one-element array)': (value) => ({ authorization: [value] }),
  'fetch Headers': (value) => new Headers({ Authorization: value }),
  'plain object, Capitalised': (value) => ({ Authorization: value }),
  'plain object, UPPER CASE': (value) => ({ AUTHORIZATION: value }),
  'null-prototype object': (value) => Object.assign(Object.create(null) as Record<string, string>, { authorization: value }),
};

const CASES: Array<[string, string, string | AuthErrorCode]> = [
  ['valid', `Bearer ${TOKEN}`, TOKEN],
  ['scheme is case-insensitive (RFC 7235 §2.1)', `bearer ${TOKEN}`, TOKEN],
  ['scheme in capitals', `BEARER ${TOKEN}`, TOKEN],
  ['b64token with padding and ~+/', 'Bearer abc~+/.-_==', 'abc~+/.-_=='],
  ['empty value', '', 'auth.authorization_header_missing'],
  ['scheme only', 'Bearer', 'auth.authorization_token_invalid_format'],
  ['scheme and space only', 'Bearer ', 'auth.authorization_token_invalid_format'],
  ['token only', TOKEN, 'auth.authorization_token_invalid_format'],
  ['two spaces', `Bearer  ${TOKEN}`, 'auth.authorization_token_invalid_format'],
  ['three parts', `Bearer ${TOKEN} extra`, 'auth.authorization_token_invalid_format'],
  ['leading space', ` Bearer ${TOKEN}`, 'auth.authorization_token_invalid_format'],
  ['trailing space', `Bearer ${TOKEN} `, 'auth.authorization_token_invalid_format'],
  ['tab separator', `Bearer\t${TOKEN}`, 'auth.authorization_token_invalid_format'],
  ['Basic scheme', 'Basic dXNlcjpwYXNz', 'auth.authorization_token_type_not_supported'],
  ['DPoP scheme', `DPoP ${TOKEN}`, 'auth.authorization_token_type_not_supported'],
  ['Bearer-ish scheme', `Bearerx ${TOKEN}`, 'auth.authorization_token_type_not_supported'],
  ['token with a comma', 'Bearer abc,def', 'auth.authorization_token_invalid_format'],
  ['token with a quote', 'Bearer "abc"', 'auth.authorization_token_invalid_format'],
  ['padding in the middle', 'Bearer ab=c', 'auth.authorization_token_invalid_format'],
  ['non-ASCII token', 'Bearer abcé', 'auth.authorization_token_invalid_format'],
];

// The token itself where extraction succeeds, otherwise the AuthError's code.
function outcome(run: () => string): string {
  let token = '';
  const code = outcomeOf(() => { token = run(); });
  return code === 'valid' ? token : code;
}

for (const [shapeName, build] of Object.entries(SHAPES)) {
  test(`bearer: ${shapeName}`, () => {
    for (const [caseName, value, expected] of CASES) {
      // The fetch Headers class strips surrounding whitespace from values, so leading and
      // trailing spaces never reach us through it; those two cases are for the other shapes.
      if (shapeName === 'fetch Headers' && value !== value.trim()) continue;
      assert.equal(outcome(() => extractBearerToken(build(value))), expected, `${shapeName} / ${caseName}`);
    }
  });
}

test('bearer: missing header in every shape', () => {
  const missing: Array<[string, HeadersInput | null | undefined]> = [
    ['undefined', undefined],
    ['null', null],
    ['empty object', {}],
    ['other headers only', { host: 'api', accept: '*/*' }],
    ['explicit undefined', { authorization: undefined }],
    ['empty array', { authorization: [] }],
    ['empty fetch Headers', new Headers()],
  ];
  for (const [name, headers] of missing) {
    assert.equal(outcome(() => extractBearerToken(headers)), 'auth.authorization_header_missing', name);
  }
});

test('bearer: several Authorization values are a format error, never a guess', () => {
  const several: Array<[string, HeadersInput]> = [
    ['array of two', { authorization: [`Bearer ${TOKEN}`, `Bearer ${TOKEN}`] }],
    ['two capitalisations', { authorization: `Bearer ${TOKEN}`, Authorization: `Bearer ${TOKEN}` }],
    ['fetch Headers append', (() => {
      const headers = new Headers();
      headers.append('authorization', `Bearer ${TOKEN}`);
      headers.append('authorization', `Bearer ${TOKEN}`);
      return headers;
    })()],
  ];
  for (const [name, headers] of several) {
    assert.equal(outcome(() => extractBearerToken(headers)), 'auth.authorization_token_invalid_format', name);
  }
});

test('bearer: a non-string value is a format error, not a crash', () => {
  const odd = [{ authorization: 42 }, { authorization: { toString: () => `Bearer ${TOKEN}` } }, { authorization: [null] }];
  for (const headers of odd) {
    assert.equal(outcome(() => extractBearerToken(headers as unknown as HeadersInput)), 'auth.authorization_token_invalid_format');
  }
});

test('bearer: every refusal of the header stage is a 401', () => {
  const refusals = CASES.filter(([, , expected]) => expected.startsWith('auth.'));
  assert.ok(refusals.length > 0, 'refusals.length > 0');
  for (const [name, value, expected] of refusals) {
    assert.throws(() => extractBearerToken({ authorization: value }), (error: unknown) =>
      error instanceof AuthError && error.code === expected && error.status === 401, name);
  }
});

test('bearer: extractCredentials accepts the schemes it is given, and keeps the core\'s order of checks', async () => {
  const { extractCredentials, readHeaderValues } = await import('../src/bearer.js');
  assert.deepEqual(extractCredentials({ authorization: `DPoP ${TOKEN}` }, ['bearer', 'dpop']), { scheme: 'dpop', token: TOKEN });
  assert.deepEqual(extractCredentials({ authorization: `dPoP ${TOKEN}` }, ['bearer', 'dpop']), { scheme: 'dpop', token: TOKEN });
  assert.throws(() => extractCredentials({ authorization: `DPoP ${TOKEN}` }, ['bearer']), (error: unknown) => error instanceof AuthError && error.code === 'auth.authorization_token_type_not_supported');
  assert.throws(() => extractCredentials({ authorization: 'DPoP a,b' }, ['dpop']), (error: unknown) => error instanceof AuthError && error.code === 'auth.authorization_token_invalid_format');
  assert.deepEqual(readHeaderValues({ DPoP: 'a', dpop: ['b', 'c'], other: 'x' }, 'dpop'), ['a', 'b', 'c']);
  assert.deepEqual(readHeaderValues(new Headers([['DPoP', 'a'], ['dpop', 'b']]), 'dpop'), ['a, b']);
  assert.deepEqual(readHeaderValues(null, 'dpop'), []);
});

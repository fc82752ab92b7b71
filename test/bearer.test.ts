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

test('bearer: the b64token check equals the RFC 6750 §2.1 grammar on random tokens (seeded)', () => {
  // The grammar written as one pattern, straight from the RFC: what the two scans must match.
  const grammar = /^[A-Za-z0-9\-._~+/]+=*$/;
  const characters = 'Aa0-._~+/=,"é \u0000';
  let state = 0x9e3779b9;
  const random = () => { state ^= state << 13; state ^= state >>> 17; state ^= state << 5; return (state >>> 0) / 2 ** 32; };
  const mismatches: string[] = [];
  const tokens = ['=', '==', 'a=', 'a==', '=a', 'a=a', 'a==b=', 'a.b=', '~', 'a=\u0000'];
  for (let i = 0; i < 5000; i++) {
    let token = '';
    for (let length = 1 + Math.floor(random() * 8); token.length < length;) token += characters[Math.floor(random() * characters.length)];
    tokens.push(token);
  }
  for (const token of tokens) {
    const accepted = outcome(() => extractBearerToken({ authorization: `Bearer ${token}` })) === token;
    if (accepted !== grammar.test(token)) mismatches.push(JSON.stringify(token));
  }
  assert.deepEqual(mismatches, []);
});

test('bearer: each refusal says which rule failed in error.detail (server-side only)', () => {
  const table: Array<[string, HeadersInput | undefined, string]> = [
    ['no header', {}, 'missing'],
    ['empty value', { authorization: '' }, 'missing'],
    ['two values', { authorization: [`Bearer ${TOKEN}`, `Bearer ${TOKEN}`] }, 'several_values'],
    ['two capitalisations', { authorization: `Bearer ${TOKEN}`, Authorization: `Bearer ${TOKEN}` }, 'several_values'],
    ['a number', { authorization: 42 } as unknown as HeadersInput, 'not_a_string'],
    ['two spaces', { authorization: `Bearer  ${TOKEN}` }, 'not_scheme_space_token'],
    ['Basic', { authorization: 'Basic dXNlcjpwYXNz' }, 'scheme_not_supported'],
    ['a comma', { authorization: 'Bearer abc,def' }, 'not_b64token'],
  ];
  for (const [name, headers, reason] of table) {
    assert.throws(() => extractBearerToken(headers), (error: unknown) => {
      assert.ok(error instanceof AuthError, name);
      assert.deepEqual(error.detail, { check: 'authorization', reason }, name);
      return true;
    }, name);
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

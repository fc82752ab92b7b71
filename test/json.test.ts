// JSON objects from bytes (RFC 8259 §8.1 UTF-8, RFC 7515 §5.2 steps 3–4): used for the JWS
// header and the JWT claims set.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPlainObject, parseJsonObject } from '../src/json.js';

test('parseJsonObject: UTF-8 JSON holding an object, else undefined', () => {
  const accepted: [label: string, bytes: Buffer, value: Record<string, unknown>][] = [
    ['object', Buffer.from('{"alg":"ES256"}'), { alg: 'ES256' }],
    ['whitespace around', Buffer.from(' \n{ "a" : 1 }\t'), { a: 1 }],
    ['non-ASCII', Buffer.from('{"name":"Bilbo’s"}'), { name: 'Bilbo’s' }],
    ['empty object', Buffer.from('{}'), {}],
  ];
  for (const [label, bytes, value] of accepted) assert.deepEqual(parseJsonObject(bytes), value, label);

  const refused: [label: string, bytes: Buffer][] = [
    ['array', Buffer.from('[{"alg":"ES256"}]')],
    ['empty array', Buffer.from('[]')],
    ['null', Buffer.from('null')],
    ['number', Buffer.from('1')],
    ['string', Buffer.from('"{}"')],
    ['true', Buffer.from('true')],
    ['empty', Buffer.alloc(0)],
    ['truncated', Buffer.from('{"alg":')],
    ['trailing garbage', Buffer.from('{} x')],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])],
    ['lone surrogate in UTF-8 (CESU)', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d])],
    ['UTF-8 byte-order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{}')])],
    ['UTF-16', Buffer.from('{}', 'utf16le')],
  ];
  for (const [label, bytes] of refused) assert.equal(parseJsonObject(bytes), undefined, label);
});

test('isPlainObject: objects only, never arrays or null', () => {
  for (const value of [{}, { a: 1 }, Object.create(null)]) assert.equal(isPlainObject(value), true);
  for (const value of [[], Object.assign([], { kty: 'EC' }), null, undefined, 'x', 1, true]) assert.equal(isPlainObject(value), false, String(value));
});

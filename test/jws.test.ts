// Compact JWS decoding (RFC 7515 §7.1) and the header rules that fail closed.

import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { test } from 'node:test';
import type { JwsAlgorithm } from '../src/algorithms.js';
import { AuthError, type AuthErrorCode } from '../src/errors.js';
import { importJwkSet } from '../src/jwks.js';
import { decodeCompactJws, DEFAULT_MAX_TOKEN_LENGTH, type DecodeOptions } from '../src/jws.js';
import { verifyCompactJws } from '../src/verify-jws.js';
import { assertCode, expectCode } from './support/outcome.js';

// Node's encoder, not ours: fixtures are never built with the code under test.
const b64 = (text: string | Uint8Array): string => Buffer.from(typeof text === 'string' ? Buffer.from(text, 'utf8') : text).toString('base64url');
const PAYLOAD = b64('{"sub":"user_123"}');
const SIGNATURE = b64(Buffer.alloc(64, 7));
const tokenWith = (header: unknown): string => `${b64(JSON.stringify(header))}.${PAYLOAD}.${SIGNATURE}`;

const refused = (token: unknown, code: AuthErrorCode, label: string, options?: DecodeOptions): void =>
  assertCode(() => decodeCompactJws(token as string, options), code, label);

test('decodes a compact JWS: header object, payload bytes as signed, signing input, signature', () => {
  const header = { alg: 'ES256', kid: 'k1', typ: 'at+jwt', cty: 'x', custom: [1] };
  const payload = Buffer.from([0xff, 0x00, 0xfe]); // not JSON, not UTF-8: JWS payloads are bytes
  const signature = Buffer.alloc(64, 9);
  const token = `${b64(JSON.stringify(header))}.${b64(payload)}.${b64(signature)}`;
  const decoded = decodeCompactJws(token);
  assert.deepEqual({ ...decoded.header }, header);
  // No prototype: a member the header lacks cannot be inherited from a polluted Object.prototype.
  assert.equal(Object.getPrototypeOf(decoded.header), null);
  assert.equal(decoded.algorithm.name, 'ES256');
  assert.deepEqual(decoded.payload, payload);
  assert.deepEqual(decoded.signature, signature);
  assert.equal(decoded.signingInput.toString('latin1'), token.slice(0, token.lastIndexOf('.')));
  // An empty payload is allowed (RFC 7515 §7.1 permits it; detached content is not used).
  assert.equal(decodeCompactJws(`${b64('{"alg":"EdDSA"}')}..${SIGNATURE}`).payload.length, 0);
});

test('segments: exactly three; five is a JWE (RFC 7516 §9); others are malformed', () => {
  const h = b64('{"alg":"ES256"}');
  const table: [label: string, token: unknown, code: AuthErrorCode][] = [
    ['empty string', '', 'auth.jws_malformed'],
    ['one segment', h, 'auth.jws_malformed'],
    ['two segments', `${h}.${PAYLOAD}`, 'auth.jws_malformed'],
    ['four segments', `${h}.${PAYLOAD}.${SIGNATURE}.${SIGNATURE}`, 'auth.jws_malformed'],
    ['four segments, empty last', `${h}.${PAYLOAD}.${SIGNATURE}.`, 'auth.jws_malformed'],
    ['five segments (JWE)', `${b64('{"alg":"RSA-OAEP","enc":"A256GCM"}')}.AAAA.AAAA.AAAA.AAAA`, 'auth.jwe_not_supported'],
    ['five empty segments', '....', 'auth.jwe_not_supported'],
    ['six segments', `${h}.a.b.c.d.e`, 'auth.jws_malformed'],
    ['empty header segment', `.${PAYLOAD}.${SIGNATURE}`, 'auth.jws_malformed'],
    ['only dots', '..', 'auth.jws_malformed'],
    ['not a string', 42, 'auth.jws_malformed'],
    ['undefined', undefined, 'auth.jws_malformed'],
  ];
  for (const [label, token, code] of table) refused(token, code, label);
});

test('an empty or non-base64url segment is refused', () => {
  const h = b64('{"alg":"ES256"}');
  const table: [label: string, token: string, code: AuthErrorCode][] = [
    ['empty signature', `${h}.${PAYLOAD}.`, 'auth.jws_malformed'],
    ['padded signature', `${h}.${PAYLOAD}.${SIGNATURE}==`, 'auth.base64url_invalid'],
    ['standard alphabet in signature', `${h}.${PAYLOAD}.+/${SIGNATURE.slice(2)}`, 'auth.base64url_invalid'],
    ['non-canonical signature end', `${h}.${PAYLOAD}.QR`, 'auth.base64url_invalid'],
    ['space in payload', `${h}.${PAYLOAD} .${SIGNATURE}`, 'auth.base64url_invalid'],
    ['padded header', `${b64('{"alg":"ES256" }')}=.${PAYLOAD}.${SIGNATURE}`, 'auth.base64url_invalid'],
    ['header of length 4n+1', `${h}A.${PAYLOAD}.${SIGNATURE}`, 'auth.base64url_invalid'],
  ];
  for (const [label, token, code] of table) refused(token, code, label);
});

test('size cap: refused before any parsing; default 16 KiB, configurable', () => {
  assert.equal(DEFAULT_MAX_TOKEN_LENGTH, 16384);
  // Garbage with no dots at all: the size check comes first, so the code is the size one.
  refused('x'.repeat(16385), 'auth.token_too_large', 'garbage of 16 KiB + 1');
  refused('x'.repeat(16384), 'auth.jws_malformed', 'garbage of exactly 16 KiB is parsed');
  const padded = (length: number): string => {
    const prefix = `${b64('{"alg":"ES256"}')}.`;
    const suffix = `.${SIGNATURE}`;
    return `${prefix}${'A'.repeat(length - prefix.length - suffix.length)}${suffix}`;
  };
  assert.doesNotThrow(() => decodeCompactJws(padded(16384)));
  refused(padded(16388), 'auth.token_too_large', '16 KiB + 4');
  assert.doesNotThrow(() => decodeCompactJws(padded(200), { maxTokenLength: 200 }));
  refused(padded(204), 'auth.token_too_large', 'over a configured cap', { maxTokenLength: 200 });
  assert.doesNotThrow(() => decodeCompactJws(padded(20000), { maxTokenLength: 20000 }));
});

test('header must be UTF-8 JSON holding an object (RFC 7515 §5.2 steps 3–4)', () => {
  const raw = (bytes: Uint8Array): string => `${b64(bytes)}.${PAYLOAD}.${SIGNATURE}`;
  const table: [label: string, token: string][] = [
    ['not JSON', raw(Buffer.from('{"alg":"ES256",'))],
    ['array', tokenWith([{ alg: 'ES256' }])],
    ['null', tokenWith(null)],
    ['number', tokenWith(1)],
    ['string', tokenWith('{"alg":"ES256"}')],
    ['invalid UTF-8 inside a string', raw(Buffer.concat([Buffer.from('{"alg":"ES256","x":"'), Buffer.from([0xff]), Buffer.from('"}')]))],
    ['overlong UTF-8', raw(Buffer.concat([Buffer.from('{"alg":"ES256","x":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]))],
    ['byte-order mark', raw(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"alg":"ES256"}')]))],
    ['alg missing', tokenWith({ kid: 'k1' })],
    ['alg number', tokenWith({ alg: 256 })],
    ['alg null', tokenWith({ alg: null })],
    ['alg array', tokenWith({ alg: ['ES256'] })],
    ['kid number', tokenWith({ alg: 'ES256', kid: 1 })],
    ['kid null', tokenWith({ alg: 'ES256', kid: null })],
    ['kid object', tokenWith({ alg: 'ES256', kid: {} })],
    ['typ number', tokenWith({ alg: 'ES256', typ: 1 })],
    ['cty array', tokenWith({ alg: 'ES256', cty: ['JWT'] })],
  ];
  for (const [label, token] of table) refused(token, 'auth.jws_header_invalid', label);
});

test('alg: none, HS*, unknown names and algorithms outside the allowlist are refused (RFC 8725 §3.1)', () => {
  const refusedAlgs = [
    'none', 'None', 'NONE', 'HS256', 'HS384', 'HS512', 'ES256K', 'RSA-OAEP', 'ES521', 'es256', 'ed25519', 'Ed448', '',
    '__proto__', 'constructor', 'toString',
  ];
  for (const alg of refusedAlgs) refused(tokenWith({ alg }), 'auth.jws_alg_not_allowed', `alg ${alg}`);
  const allowlist: [alg: JwsAlgorithm, allowed: JwsAlgorithm[], ok: boolean][] = [
    ['ES256', ['ES256'], true],
    ['ES256', ['RS256', 'ES384'], false],
    ['PS256', ['RS256'], false],
    ['RS256', ['RS256', 'PS256'], true],
    ['EdDSA', [], false],
    // RFC 9864: Ed25519 and EdDSA are two names, each its own entry in the allowlist.
    ['Ed25519', ['Ed25519'], true],
    ['Ed25519', ['EdDSA'], false],
    ['EdDSA', ['Ed25519'], false],
  ];
  for (const [alg, allowed, ok] of allowlist) {
    const options = { algorithms: new Set(allowed) };
    if (ok) assert.equal(decodeCompactJws(tokenWith({ alg }), options).algorithm.name, alg);
    else refused(tokenWith({ alg }), 'auth.jws_alg_not_allowed', `${alg} not in [${allowed.join(',')}]`, options);
  }
});

test('crit is refused in any form: we understand no extensions (RFC 7515 §4.1.11)', () => {
  for (const crit of [['exp'], ['b64'], [], 'exp', null, 0, {}]) {
    refused(tokenWith({ alg: 'ES256', crit, exp: 1 }), 'auth.jws_crit_unsupported', `crit ${JSON.stringify(crit)}`);
  }
});

test('b64 other than true is refused (RFC 7797 §3)', () => {
  for (const b64Value of [false, 'false', 0, null]) {
    refused(tokenWith({ alg: 'ES256', b64: b64Value }), 'auth.jws_b64_unsupported', `b64 ${JSON.stringify(b64Value)}`);
  }
  assert.doesNotThrow(() => decodeCompactJws(tokenWith({ alg: 'ES256', b64: true })));
});

test('the order of header rules is fixed: alg, then crit, then b64, then member types', () => {
  const table: [label: string, header: Record<string, unknown>, code: AuthErrorCode][] = [
    ['alg none with crit', { alg: 'none', crit: ['x'] }, 'auth.jws_alg_not_allowed'],
    ['alg missing with crit', { crit: ['x'] }, 'auth.jws_header_invalid'],
    ['crit and b64 false', { alg: 'ES256', crit: ['b64'], b64: false }, 'auth.jws_crit_unsupported'],
    ['b64 false and kid number', { alg: 'ES256', b64: false, kid: 1 }, 'auth.jws_b64_unsupported'],
    ['HS256 with kid number', { alg: 'HS256', kid: 1 }, 'auth.jws_alg_not_allowed'],
  ];
  for (const [label, header, code] of table) refused(tokenWith(header), code, label);
});

test('jku, x5u, jwk and x5c are never used to find a key (RFC 7515 §4.1.2–4.1.6, RFC 8725 §3.1)', async () => {
  const trusted = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const trustedJwk = { ...trusted.publicKey.export({ format: 'jwk' }), kid: 'trusted', alg: 'ES256' };
  const attackerJwk = attacker.publicKey.export({ format: 'jwk' });
  const keySet = importJwkSet({ keys: [trustedJwk] });
  const signed = (header: Record<string, unknown>, privateKey: typeof trusted.privateKey): string => {
    const signingInput = `${b64(JSON.stringify(header))}.${PAYLOAD}`;
    return `${signingInput}.${b64(sign('sha256', Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' }))}`;
  };
  const attackerCert = 'MIIB'; // the content does not matter: x5c is never read
  const attacks: [label: string, header: Record<string, unknown>][] = [
    ['embedded jwk, trusted kid', { alg: 'ES256', kid: 'trusted', jwk: attackerJwk }],
    ['embedded jwk, no kid', { alg: 'ES256', jwk: attackerJwk }],
    ['embedded jwk with its own kid', { alg: 'ES256', kid: 'attacker', jwk: { ...attackerJwk, kid: 'attacker' } }],
    ['jku', { alg: 'ES256', jku: 'https://attacker.example/jwks.json' }],
    ['x5u', { alg: 'ES256', x5u: 'https://attacker.example/cert.pem' }],
    ['x5c', { alg: 'ES256', x5c: [attackerCert] }],
  ];
  for (const [label, header] of attacks) {
    const expected: AuthErrorCode = header['kid'] === 'attacker' ? 'auth.jwks_key_not_found' : 'auth.jws_signature_invalid';
    await expectCode(verifyCompactJws(signed(header, attacker.privateKey), keySet), expected, label);
    // The same header signed by the trusted key verifies: the members are ignored, not refused.
    if (header['kid'] !== 'attacker') {
      const verified = await verifyCompactJws(signed(header, trusted.privateKey), keySet);
      assert.equal(verified.key.kid, 'trusted', label);
    }
  }
});

test('each refusal says which rule failed in error.detail, without the token or its values', () => {
  const h = b64('{"alg":"ES256"}');
  const detailOf = (token: unknown, options?: DecodeOptions): unknown => {
    try {
      decodeCompactJws(token as string, options);
    } catch (error) {
      assert.ok(error instanceof AuthError, String(error));
      return error.detail;
    }
    return 'valid';
  };
  const table: [label: string, token: unknown, detail: unknown, options?: DecodeOptions][] = [
    ['not a string', 42, { check: 'segments', segments: 0 }],
    ['too long', `${h}.${PAYLOAD}.${SIGNATURE}`, { check: 'size', length: h.length + PAYLOAD.length + SIGNATURE.length + 2, maxTokenLength: 10 }, { maxTokenLength: 10 }],
    ['two segments', `${h}.${PAYLOAD}`, { check: 'segments', segments: 2 }],
    ['five segments', '....', { check: 'segments', segments: 5 }],
    ['empty header', `.${PAYLOAD}.${SIGNATURE}`, { check: 'segments', segments: 3, empty: 'header' }],
    ['empty signature', `${h}.${PAYLOAD}.`, { check: 'segments', segments: 3, empty: 'signature' }],
    ['header not base64url', `${h}=.${PAYLOAD}.${SIGNATURE}`, { check: 'base64url', segment: 'header' }],
    ['payload not base64url', `${h}.${PAYLOAD}+.${SIGNATURE}`, { check: 'base64url', segment: 'payload' }],
    ['signature not canonical', `${h}.${PAYLOAD}.${SIGNATURE.slice(0, -1)}B`, { check: 'base64url', segment: 'signature' }],
    ['header not JSON', `${b64('nope')}.${PAYLOAD}.${SIGNATURE}`, { check: 'header', expected: 'JSON object' }],
    ['alg missing', tokenWith({ kid: 'k' }), { check: 'header', member: 'alg', expected: 'string', found: 'undefined' }],
    ['alg a number', tokenWith({ alg: 256 }), { check: 'header', member: 'alg', expected: 'string', found: 'number' }],
    ['alg none', tokenWith({ alg: 'none' }), { check: 'alg', alg: 'none', allowed: ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA', 'Ed25519'] }],
    ['alg outside the allowlist', tokenWith({ alg: 'RS256' }), { check: 'alg', alg: 'RS256', allowed: ['ES384'] }, { algorithms: new Set(['ES384']) }],
    ['crit', tokenWith({ alg: 'ES256', crit: ['exp'] }), { check: 'crit' }],
    ['b64 false', tokenWith({ alg: 'ES256', b64: false }), { check: 'b64', found: 'boolean' }],
    ['kid an object', tokenWith({ alg: 'ES256', kid: { secret: 'x' } }), { check: 'header', member: 'kid', expected: 'string', found: 'object' }],
    ['typ an array', tokenWith({ alg: 'ES256', typ: ['at+jwt'] }), { check: 'header', member: 'typ', expected: 'string', found: 'array' }],
    ['cty null', tokenWith({ alg: 'ES256', cty: null }), { check: 'header', member: 'cty', expected: 'string', found: 'null' }],
  ];
  for (const [label, token, detail, options] of table) assert.deepEqual(detailOf(token, options), detail, label);
});

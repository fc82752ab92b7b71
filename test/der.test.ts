// The minimal DER writer (X.690). Expected bytes come from X.690's rules written out by hand
// and from `openssl asn1parse -genstr OID:<dotted> -out x.der` (quoted below), never from
// der.ts itself; the SPKI builders are checked against Node's own exporter.

import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { test } from 'node:test';
import {
  bitString, ecdsaRawToDer, ecSpki, ed25519Spki, integer, nullValue, objectIdentifier, rsaSpki, sequence,
} from '../src/der.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const bytesOf = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

test('INTEGER: minimal two\'s complement of an unsigned magnitude (X.690 §8.3)', () => {
  const table: [input: string, der: string][] = [
    ['', '020100'], // zero has one content byte
    ['00', '020100'],
    ['000000', '020100'],
    ['01', '020101'],
    ['000001', '020101'], // leading zero bytes are stripped
    ['7f', '02017f'],
    ['80', '02020080'], // high bit set: a 0x00 sign byte keeps it positive (openssl: INTEGER:128 → 02 02 00 80)
    ['0080', '02020080'],
    ['00000080', '02020080'],
    ['8000', '0203008000'], // openssl: INTEGER:0x8000 → 02 03 00 80 00
    ['ff', '020200ff'],
    ['0100', '02020100'],
  ];
  for (const [input, der] of table) assert.equal(hex(integer(bytesOf(input))), der, input);
});

test('lengths: short form below 128, long form 0x81 / 0x82 above (X.690 §8.1.3)', () => {
  const table: [contentLength: number, header: string][] = [
    [0, '3000'],
    [1, '3001'],
    [127, '307f'],
    [128, '308180'],
    [200, '3081c8'],
    [255, '3081ff'],
    [256, '30820100'],
    [300, '3082012c'],
    [65535, '3082ffff'],
    [65536, '3083010000'],
  ];
  for (const [contentLength, header] of table) {
    const content = Buffer.alloc(contentLength, 0xab);
    const der = sequence(content);
    assert.equal(hex(der.subarray(0, header.length / 2)), header, String(contentLength));
    assert.equal(der.length, header.length / 2 + contentLength);
    assert.deepEqual(der.subarray(header.length / 2), content);
  }
  // The length applies to every TLV: a 200-byte BIT STRING has 201 content bytes.
  assert.equal(hex(bitString(Buffer.alloc(200)).subarray(0, 4)), '0381c900');
});

test('OBJECT IDENTIFIER: the bytes `openssl asn1parse -genstr OID:…` writes (X.690 §8.19)', () => {
  const table: [dotted: string, der: string][] = [
    ['1.2.840.10045.2.1', '06 07 2a 86 48 ce 3d 02 01'], // id-ecPublicKey (RFC 5480 §2.1.1)
    ['1.2.840.10045.3.1.7', '06 08 2a 86 48 ce 3d 03 01 07'], // secp256r1
    ['1.3.132.0.34', '06 05 2b 81 04 00 22'], // secp384r1
    ['1.3.132.0.35', '06 05 2b 81 04 00 23'], // secp521r1
    ['1.2.840.113549.1.1.1', '06 09 2a 86 48 86 f7 0d 01 01 01'], // rsaEncryption (RFC 3279 §2.3.1)
    ['1.3.101.112', '06 03 2b 65 70'], // id-Ed25519 (RFC 8410 §3)
    ['2.999.3', '06 03 88 37 03'], // X.690 §8.19.5's example arcs: 2.999 → 1079 → 88 37
  ];
  for (const [dotted, der] of table) assert.equal(hex(objectIdentifier(dotted)), der.replace(/ /g, ''), dotted);
});

test('NULL and BIT STRING', () => {
  assert.equal(hex(nullValue()), '0500');
  assert.equal(hex(bitString(bytesOf('0102'))), '0303000102'); // 0 unused bits, then the bytes
  assert.equal(hex(bitString(Buffer.alloc(0))), '030100');
});

test('SPKI builders equal the DER Node exports for the same key (RFC 5480, RFC 3279, RFC 8410)', () => {
  for (const namedCurve of ['P-256', 'P-384', 'P-521'] as const) {
    for (let round = 0; round < 8; round++) {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve });
      const jwk = publicKey.export({ format: 'jwk' });
      const spki = ecSpki(namedCurve, Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url'));
      assert.deepEqual(spki, publicKey.export({ format: 'der', type: 'spki' }), namedCurve);
    }
  }
  for (const publicExponent of [3, 65537]) {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent });
    const jwk = publicKey.export({ format: 'jwk' });
    const spki = rsaSpki(Buffer.from(jwk.n!, 'base64url'), Buffer.from(jwk.e!, 'base64url'));
    assert.deepEqual(spki, publicKey.export({ format: 'der', type: 'spki' }));
  }
  const { publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  assert.deepEqual(ed25519Spki(Buffer.from(jwk.x!, 'base64url')), publicKey.export({ format: 'der', type: 'spki' }));
});

test('ecdsaRawToDer: written out for known r and s (RFC 3279 §2.2.3 Ecdsa-Sig-Value)', () => {
  const r = '00'.repeat(31) + '01';
  const s = 'ff'.repeat(32);
  // SEQUENCE { INTEGER 1, INTEGER 0x00ff…ff (33 content bytes) }: 3 + 35 = 38 = 0x26.
  assert.equal(hex(ecdsaRawToDer(bytesOf(r + s), 32)!), `3026020101022100${s}`);
  // P-521: 66-byte components; 2 × (2 + 67) = 138 content bytes, so the long form 0x81 0x8a.
  const big = 'ff'.repeat(66);
  assert.equal(hex(ecdsaRawToDer(bytesOf(big + big), 66)!), `30818a024300${big}024300${big}`);
});

test('ecdsaRawToDer: refuses any length other than exactly 2 × the component length', () => {
  const table: [length: number, component: number][] = [
    [0, 32], [63, 32], [65, 32], [62, 32], [128, 32], // ES256
    [95, 48], [97, 48], [64, 48], // ES384
    [130, 66], [131, 66], [133, 66], [128, 66], // ES512: a re-padded 64+64 is not 66+66
  ];
  for (const [length, component] of table) {
    assert.equal(ecdsaRawToDer(Buffer.alloc(length, 1), component), null, `${length}/${component}`);
  }
});

test('ecdsaRawToDer: refuses r = 0 or s = 0 (CVE-2022-21449, SEC 1 §4.1.4 step 1)', () => {
  for (const component of [32, 48, 66]) {
    const zero = Buffer.alloc(component);
    const one = Buffer.alloc(component); one[component - 1] = 1;
    assert.equal(ecdsaRawToDer(Buffer.concat([zero, zero]), component), null);
    assert.equal(ecdsaRawToDer(Buffer.concat([zero, one]), component), null, 'r = 0');
    assert.equal(ecdsaRawToDer(Buffer.concat([one, zero]), component), null, 's = 0');
    assert.notEqual(ecdsaRawToDer(Buffer.concat([one, one]), component), null, 'r = s = 1 is well-formed');
  }
});

test('ecdsaRawToDer: a P1363 signature from Node becomes a DER signature Node accepts', () => {
  const curves = [['P-256', 'sha256', 32], ['P-384', 'sha384', 48], ['P-521', 'sha512', 66]] as const;
  for (const [namedCurve, hash, component] of curves) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve });
    for (let round = 0; round < 16; round++) { // enough rounds that short r or s (leading zeros) occur
      const message = randomBytes(round * 7);
      const raw = sign(hash, message, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      const der = ecdsaRawToDer(raw, component);
      assert.ok(der !== null, 'der !== null');
      assert.equal(verify(hash, message, { key: publicKey, dsaEncoding: 'der' }, der), true, namedCurve);
      // The DER is bound to this message, not a signature OpenSSL accepts for anything.
      assert.equal(verify(hash, Buffer.concat([message, Buffer.from([1])]), { key: publicKey, dsaEncoding: 'der' }, der), false);
    }
  }
});

import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { loadOrCreateClientKey, makeProof } from '../src/demo/dpop-client.js';

const folder = mkdtempSync(join(tmpdir(), 'clearjwt-dpop-client-'));
after(() => rmSync(folder, { recursive: true, force: true }));
const decode = (segment: string) => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;

test('demo dpop client: one key, created on first use (0600) and reused; jkt is its RFC 7638 thumbprint', () => {
  const path = join(folder, 'nested', 'dpop-client.json');
  const key = loadOrCreateClientKey(path);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(loadOrCreateClientKey(path).jkt, key.jkt);
  const { crv, kty, x, y } = key.publicJwk;
  assert.equal(key.jkt, createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url'));
  assert.equal(key.publicJwk.d, undefined, 'the public JWK carries no private member');
});

test('demo dpop client: a proof node:crypto verifies, with htm, htu (no query), iat, ath', () => {
  const key = loadOrCreateClientKey(join(folder, 'k.json'));
  const proof = makeProof(key, 'GET', 'http://127.0.0.1:3000/user/info?x=1#f', 'the-token');
  const [header, payload, signature] = proof.split('.') as [string, string, string];
  const jwk = decode(header)['jwk'] as Record<string, string>;
  assert.equal(verify('sha256', Buffer.from(`${header}.${payload}`), { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url')), true);
  assert.deepEqual({ ...decode(header), jwk: undefined }, { typ: 'dpop+jwt', alg: 'ES256', jwk: undefined });
  const claims = decode(payload);
  assert.equal(claims['htm'], 'GET');
  assert.equal(claims['htu'], 'http://127.0.0.1:3000/user/info');
  assert.equal(claims['ath'], createHash('sha256').update('the-token').digest('base64url'));
  assert.ok(Math.abs((claims['iat'] as number) - Date.now() / 1000) < 60, 'iat is now');
  assert.equal(decode(makeProof(key, 'GET', 'http://a/').split('.')[1]!)['ath'], undefined);
});

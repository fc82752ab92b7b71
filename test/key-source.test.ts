// The static key source: a JWK Set given up front, behind the KeySource interface.

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { AuthError } from '../src/errors.js';
import { importJwk } from '../src/jwk.js';
import { createStaticKeySource } from '../src/key-source.js';

const P256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
const P384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' });

test('resolves keys by the header\'s alg and kid, and knows which keys are current', async () => {
  const source = createStaticKeySource({ keys: [{ ...P256, kid: 'a' }, { ...P384, kid: 'b' }] });
  await source.ready();
  const key = await source.resolveKey({ alg: 'ES256', kid: 'a' });
  assert.equal(key.kid, 'a');
  assert.equal((await source.resolveKey({ alg: 'ES384' })).kid, 'b');
  assert.equal(source.isCurrent(key), true);
  assert.equal(source.isCurrent(importJwk({ ...P256, kid: 'a' })), false, 'an equal key from elsewhere is not one of ours');
  for (const [header, code] of [[{ alg: 'ES256', kid: 'x' }, 'auth.jwks_key_not_found'], [{ alg: 'ES384', kid: 'a' }, 'auth.jwk_alg_mismatch']] as const) {
    assert.throws(() => source.resolveKey(header), (error: unknown) => error instanceof AuthError && error.code === code);
  }
});

test('a document that is not a JWK Set is refused when the source is created', () => {
  assert.throws(() => createStaticKeySource([P256]), (error: unknown) => error instanceof AuthError && error.code === 'auth.jwks_invalid');
});

test('the static source\'s snapshot: always fresh, its kids, nothing fetched', () => {
  const source = createStaticKeySource({ keys: [{ ...P256, kid: 'a' }, P384] });
  assert.deepEqual(JSON.parse(JSON.stringify(source.snapshot())), {
    source: 'static', state: 'fresh', kids: ['a', null], fetchedAt: null, refreshAt: null, freshUntil: null, staleUntil: null,
    refreshing: false, failures: 0, lastError: null, retryAt: null, kidCooldownUntil: null,
  });
  assert.equal(createStaticKeySource({ keys: [] }).snapshot().state, 'empty');
});

// Review findings on the verified-token cache (src/token-cache.ts): each test states the
// behaviour the cache should have and fails on main at 08:38. A hit is observable without
// mocks: every hit hands out the very claims object the miss stored.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createVerifier } from '../src/verifier.js';
import { fixtureJwk, signToken } from './support/key-server.js';

const ISSUER = 'https://issuer.example.com/oidc';
const AUDIENCE = 'https://api.example.com';
const claims = (extra: Record<string, unknown> = {}) =>
  ({ iss: ISSUER, aud: AUDIENCE, sub: 'user_1', exp: Math.floor(Date.now() / 1000) + 600, ...extra });

// [F5] remember() adds the token, then evicts least recently used entries until the total
// fits. A token longer than maxTotalLength is itself the most recent, so the loop first
// evicts every other entry, then it: "verified, never stored" (options.ts) holds, but the
// whole cache is flushed by each such request. Reachable whenever cache.maxTotalLength is
// below maxTokenLength (options.ts accepts that combination without a word).
test('review F5: a token longer than cache.maxTotalLength does not flush the other entries', async () => {
  const verify = createVerifier({
    issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [fixtureJwk('es256-1')] }, cache: { maxTotalLength: 2000 },
  });
  const small = signToken('ES256', 'es256-1', claims());
  const large = signToken('ES256', 'es256-1', claims({ padding: 'x'.repeat(3000) }));
  assert.ok(small.length < 2000 && large.length > 2000, `token lengths ${small.length}, ${large.length}`);
  const first = await verify.token(small);
  assert.equal(await verify.token(small), first, 'a second call is a hit (the same frozen claims)');
  await verify.token(large);
  assert.equal(await verify.token(small), first, 'the small token is still cached after the large one');
});

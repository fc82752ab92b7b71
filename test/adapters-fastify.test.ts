import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireAuth, type FastifyReplyLike, type FastifyRequestLike } from '../src/adapters/fastify.js';
import { AuthError } from '../src/errors.js';
import { CASES, expectedRefusal, verify } from './support/adapter-setup.js';

// Fastify itself is not a dependency of the library (examples/fastify runs the hook in real
// Fastify 5); here the reply records what the hook asked of it.
function recordingReply() {
  const sent: { status?: number; headers?: Record<string, string>; payload?: string } = {};
  const reply: FastifyReplyLike = {
    code: (status) => { sent.status = status; return reply; },
    headers: (values) => { sent.headers = values; return reply; },
    send: (payload) => { sent.payload = payload; return reply; },
  };
  return { reply, sent };
}

for (const { name, authorization, scopes, expect } of CASES) {
  test(`clearjwt/fastify requireAuth: ${name} → ${expect}`, async () => {
    const hook = requireAuth(verify, scopes === undefined ? undefined : { scopes });
    const value = authorization();
    const request: FastifyRequestLike = { headers: value === undefined ? {} : { authorization: value } };
    const { reply, sent } = recordingReply();
    const result = await hook(request, reply);
    if (expect === 'ok') {
      assert.equal(result, undefined);
      assert.equal(request.auth?.sub, 'user_123');
      return assert.deepEqual(sent, {});
    }
    assert.equal(result, reply, 'an async hook that answered returns the reply');
    assert.equal(request.auth, undefined);
    const expected = expectedRefusal(expect, expect === 'auth.insufficient_scope' ? scopes : undefined);
    assert.deepEqual({ status: sent.status, headers: sent.headers, body: JSON.parse(sent.payload ?? 'null') }, expected);
  });
}

test('clearjwt/fastify requireAuth: raw.headersDistinct wins, so two Authorization headers are refused', async () => {
  const request: FastifyRequestLike = { headers: { authorization: 'Bearer a.b.c' }, raw: { headersDistinct: { authorization: ['Bearer a.b.c', 'Bearer d.e.f'] } } };
  const { reply, sent } = recordingReply();
  await requireAuth(verify)(request, reply);
  assert.equal(JSON.parse(sent.payload ?? '{}').code, 'auth.authorization_token_invalid_format');
});

test("clearjwt/fastify requireAuth: onError 'next' throws the AuthError to Fastify's error handler", async () => {
  const { reply, sent } = recordingReply();
  await assert.rejects(requireAuth(verify, { onError: 'next' })({ headers: {} }, reply),
    (error: unknown) => error instanceof AuthError && error.code === 'auth.authorization_header_missing');
  assert.deepEqual(sent, {});
});

test('clearjwt/fastify requireAuth: options are checked at setup', () => {
  assert.throws(() => requireAuth(verify, { scopes: 'admin' } as never), /clearjwt\/fastify requireAuth: scopes must be an array/);
});

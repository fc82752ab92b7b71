// Type check only (.ci/run): the hook fits real Fastify 5 routes and hooks, with `request.auth` typed.
import Fastify, { type FastifyRequest } from 'fastify';
import { createVerifier, requireAuth } from 'clearjwt/fastify';
import type { Claims } from 'clearjwt';

declare module 'fastify' {
  interface FastifyRequest { auth?: Claims }
}

const verify = createVerifier({ issuer: 'https://tenant.logto.app/oidc', audience: 'https://api.example.com' });
const app = Fastify();
app.get('/admin/stats', { onRequest: requireAuth(verify, { scopes: ['admin'] }) }, async (request) => ({ sub: request.auth?.sub }));
app.get('/cookie', { preHandler: requireAuth(verify, { token: (request: FastifyRequest) => request.headers['x-token'] as string | undefined, onError: 'next' }) }, async () => ({}));
app.addHook('onRequest', requireAuth(verify));

// Type check only (.ci/run): the middleware fits real Hono routes, with `c.get('auth')` typed.
import { Hono } from 'hono';
import { createVerifier, requireAuth, AuthError, authErrorResponse } from 'clearjwt/fetch';
import type { Claims } from 'clearjwt';

const verify = createVerifier({ issuer: 'https://tenant.logto.app/oidc', audience: 'https://api.example.com' });
const app = new Hono<{ Variables: { auth: Claims } }>();
app.get('/admin/stats', requireAuth(verify, { scopes: ['admin'] }), (c) => c.json({ sub: c.get('auth').sub }));
app.use('/api/*', requireAuth(verify, { onError: 'next' }));
app.onError((error) => (error instanceof AuthError ? authErrorResponse(error) : new Response('internal error', { status: 500 })));

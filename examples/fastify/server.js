// Fastify 5 with clearjwt/fastify. Run: ISSUER=… AUDIENCE=… PORT=3000 node server.js
// #region readme
import Fastify from 'fastify';
import { createVerifier, requireAuth } from 'clearjwt/fastify';

const verify = createVerifier({ issuer: process.env.ISSUER, audience: process.env.AUDIENCE });
const app = Fastify();

app.get('/user/info', { onRequest: requireAuth(verify) }, async (request) => ({ sub: request.auth.sub }));
app.get('/admin/stats', { onRequest: requireAuth(verify, { scopes: ['admin'] }) }, async (request) => ({ sub: request.auth.sub, admin: true }));
// #endregion

const address = await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
console.log(`listening on ${address}`);

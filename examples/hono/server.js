// Hono on @hono/node-server with clearjwt/fetch. Run: ISSUER=… AUDIENCE=… PORT=3000 node server.js
// #region readme
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createVerifier, requireAuth } from 'clearjwt/fetch';

const verify = createVerifier({ issuer: process.env.ISSUER, audience: process.env.AUDIENCE });
const app = new Hono();

app.get('/user/info', requireAuth(verify), (c) => c.json({ sub: c.get('auth').sub }));
app.get('/admin/stats', requireAuth(verify, { scopes: ['admin'] }), (c) => c.json({ sub: c.get('auth').sub, admin: true }));
// #endregion

serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000), hostname: '127.0.0.1' }, (info) => {
  console.log(`listening on http://127.0.0.1:${info.port}`);
});

// Express 5 with clearjwt/express. Run: ISSUER=… AUDIENCE=… PORT=3000 node server.js
// #region readme
import express from 'express';
import { createVerifier, requireAuth } from 'clearjwt/express';

const verify = createVerifier({ issuer: process.env.ISSUER, audience: process.env.AUDIENCE });
const app = express();

app.get('/user/info', requireAuth(verify), (req, res) => res.json({ sub: req.auth.sub }));
app.get('/admin/stats', requireAuth(verify, { scopes: ['admin'] }), (req, res) => res.json({ sub: req.auth.sub, admin: true }));
// #endregion

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});

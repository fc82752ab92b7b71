// node:http with clearjwt/node. Run: ISSUER=… AUDIENCE=… PORT=3000 node server.js
// #region readme
import { createServer } from 'node:http';
import { createVerifier, withAuth } from 'clearjwt/node';

const verify = createVerifier({ issuer: process.env.ISSUER, audience: process.env.AUDIENCE });
const json = (res, body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));

const routes = new Map([
  ['/user/info', withAuth(verify, (req, res, claims) => json(res, { sub: claims.sub }))],
  ['/admin/stats', withAuth(verify, { scopes: ['admin'] }, (req, res, claims) => json(res, { sub: claims.sub, admin: true }))],
]);
// #endregion

const server = createServer((req, res) => {
  const route = routes.get(new URL(req.url, 'http://localhost').pathname);
  if (route === undefined) return res.writeHead(404).end();
  route(req, res);
});
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});

// Bun.serve with clearjwt/fetch. Run: ISSUER=… AUDIENCE=… PORT=3000 bun server.js
// #region readme
import { createVerifier, withAuth } from 'clearjwt/fetch';

const verify = createVerifier({ issuer: process.env.ISSUER, audience: process.env.AUDIENCE });

const server = Bun.serve({
  hostname: '127.0.0.1',
  port: Number(process.env.PORT ?? 3000),
  routes: {
    '/user/info': withAuth(verify, (req, claims) => Response.json({ sub: claims.sub })),
    '/admin/stats': withAuth(verify, { scopes: ['admin'] }, (req, claims) => Response.json({ sub: claims.sub, admin: true })),
  },
  fetch: () => new Response(null, { status: 404 }),
});
// #endregion
console.log(`listening on http://127.0.0.1:${server.port}`);

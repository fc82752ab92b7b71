// Deno.serve with clearjwt/fetch. Run: ISSUER=… AUDIENCE=… PORT=3000 deno run --allow-net --allow-env --allow-read server.js
// #region readme
import { createVerifier, withAuth } from 'clearjwt/fetch';

const verify = createVerifier({ issuer: Deno.env.get('ISSUER'), audience: Deno.env.get('AUDIENCE') });

const routes = new Map([
  ['/user/info', withAuth(verify, (req, claims) => Response.json({ sub: claims.sub }))],
  ['/admin/stats', withAuth(verify, { scopes: ['admin'] }, (req, claims) => Response.json({ sub: claims.sub, admin: true }))],
]);

Deno.serve({
  hostname: '127.0.0.1',
  port: Number(Deno.env.get('PORT') ?? 3000),
  onListen: ({ port }) => console.log(`listening on http://127.0.0.1:${port}`),
}, (req) => routes.get(new URL(req.url).pathname)?.(req) ?? new Response(null, { status: 404 }));
// #endregion

// Type check only (.ci/run): the middleware fits real Express 5 routes, with `req.auth` typed.
import express from 'express';
import { createVerifier, requireAuth, AuthError } from 'clearjwt/express';

const verify = createVerifier({ issuer: 'https://tenant.logto.app/oidc', audience: 'https://api.example.com' });
const app = express();
app.get('/admin/stats', requireAuth(verify, { scopes: ['admin'] }), (req, res) => { res.json({ sub: req.auth?.sub }); });
app.use('/api', requireAuth(verify, { onError: 'next', token: (req) => req.headers['x-token'] as string | undefined }));
app.use((error: unknown, _req: express.Request, res: express.Response, next: express.NextFunction) => {
  if (error instanceof AuthError) return void res.status(error.status).set(error.headers).json(error.body);
  next(error);
});

// Type check only (.ci/run): withAuth fits node:http's createServer, and `claims` is typed.
import { createServer } from 'node:http';
import { createVerifier, withAuth } from 'clearjwt/node';

const verify = createVerifier<{ tenant_id?: string }>({ issuer: 'https://tenant.logto.app/oidc', audience: 'https://api.example.com' });
createServer(withAuth(verify, { scopes: ['admin'] }, (_req, res, claims) => { res.end(claims.tenant_id ?? claims.sub); }));

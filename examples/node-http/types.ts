// Type check only (.ci/run): withAuth fits node:http's createServer, and `claims` is typed.
import { createServer } from 'node:http';
import { createVerifier, withAuth } from 'clearjwt/node';

const verify = createVerifier<{ tenant_id?: string }>({ issuer: 'https://tenant.logto.app/oidc', audience: 'https://api.example.com' });
createServer(withAuth(verify, { scopes: ['admin'] }, (_req, res, claims) => { res.end(claims.tenant_id ?? claims.sub); }));

// With DPoP: withAuth takes the DPoP verifier; ServerResponse has the setHeader it uses for the nonce.
import { createDpopVerifier } from 'clearjwt/dpop';
const verifyDpop = createDpopVerifier(verify, { mode: 'required', publicOrigin: 'https://api.example.com' });
createServer(withAuth(verifyDpop, (_req, res, claims) => { res.end(claims.tenant_id ?? claims.sub); }));

// A local OpenID issuer for the example apps' tests, written with node:crypto only (not
// clearjwt's code): OIDC discovery and a JWK Set on 127.0.0.1, and ES256 access tokens.
// It starts "down" (every request's connection is dropped) so a test can see the 503 an app
// answers before it has any keys; `up()` brings it online.

import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { createServer } from 'node:http';

export async function startIssuer() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = randomUUID();
  let online = false;
  let issuer = '';
  const server = createServer((req, res) => {
    if (!online) return req.socket.destroy();
    const body = req.url === '/oidc/.well-known/openid-configuration' ? { issuer, jwks_uri: `${issuer}/jwks` }
      : req.url === '/oidc/jwks' ? { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' }] }
      : undefined;
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? {}));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${server.address().port}/oidc`;
  return {
    issuer,
    up: () => { online = true; },
    /** An ES256 JWS (RFC 7518 §3.4: the signature is R || S), `expiresIn` seconds from now. */
    mint: ({ audience, scope = '', expiresIn = 300 }) => {
      const now = Math.floor(Date.now() / 1000);
      const header = { alg: 'ES256', typ: 'at+jwt', kid };
      const claims = { iss: issuer, sub: 'user_123', aud: audience, iat: now, exp: now + expiresIn, scope, client_id: 'example' };
      const signingInput = [header, claims].map((part) => Buffer.from(JSON.stringify(part)).toString('base64url')).join('.');
      const signature = sign('sha256', Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' });
      return `${signingInput}.${signature.toString('base64url')}`;
    },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

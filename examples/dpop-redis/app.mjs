// One process of a DPoP-protected API. Run several against one Redis: a proof accepted by
// one is refused by all the others. Configuration comes from the environment:
//   REDIS_URL      redis://127.0.0.1:6379
//   ISSUER, AUDIENCE, JWKS (a JSON JWK Set; static keys keep the example offline)
//   PUBLIC_ORIGIN  the origin clients use, e.g. https://api.example.com (behind a load balancer)
// Prints {"port": N} once it listens on 127.0.0.1.

import { createServer } from 'node:http';
import { createClient } from 'redis';
import { AuthError, createVerifier } from 'clearjwt';
import { createDpopVerifier } from 'clearjwt/dpop';
import { createRedisReplayStore } from './redis-replay-store.mjs';

const env = (name) => process.env[name] ?? (console.error(`missing ${name}`), process.exit(1));

// Without the offline queue a command fails at once while Redis is unreachable (→ 503),
// instead of waiting for a reconnect.
const redis = createClient({ url: env('REDIS_URL'), disableOfflineQueue: true });
redis.on('error', () => {}); // reconnects on its own; each failed command already rejects
await redis.connect();

const verify = createVerifier({ issuer: env('ISSUER'), audience: env('AUDIENCE'), jwks: JSON.parse(env('JWKS')) });
const verifyRequest = createDpopVerifier(verify, {
  mode: 'required',
  publicOrigin: env('PUBLIC_ORIGIN'),
  replayStore: createRedisReplayStore(redis),
  replayStoreTimeoutMs: 1000, // a Redis that does not answer within a second counts as down (503)
});

const server = createServer(async (req, res) => {
  try {
    const claims = await verifyRequest({ method: req.method, url: req.url, headers: req.headersDistinct });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sub: claims.sub, pid: process.pid }));
  } catch (error) {
    const authError = error instanceof AuthError ? error : new AuthError('auth.verification_failed');
    res.writeHead(authError.status, { 'www-authenticate': authError.wwwAuthenticate, 'content-type': 'application/json' })
      .end(JSON.stringify({ code: authError.code, pid: process.pid }));
  }
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    redis.quit().finally(() => process.exit(0));
  });
}

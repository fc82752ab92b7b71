// The app that `npm run bench:http` loads: one node:http server with an unprotected route
// and protected routes, written the way the README's node:http example is. It runs in a
// child process so the load generator and the server do not share one event loop.
//
//   GET /open        no token; answers like a protected route does
//   GET /cache-on    verify(headersDistinct, { scopes }), the verifier's defaults (cache on)
//   GET /cache-off   the same verification with cache: false
//
// Every verifier accepts all algorithms: the token the client sends picks ES384, RS256 or
// EdDSA. Keys are the openssl-made fixtures/jwks.json, so no key fetch is measured.
//
// Over IPC the parent asks for { type: 'usage' } (CPU and heap of this process, threads
// included: ES384 verifies on libuv's pool) and gets { type: 'listening', port } first.
// SIGTERM closes every connection and exits 0, so `--cpu-prof` can write its profile.

import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { sendAuthError, sendJson } from '../src/demo/http.js';
import { AuthError, createVerifier, type Verifier, type VerifierOptions } from '../src/index.js';
import { DEFAULT_TOKEN_CACHE } from '../src/options.js';

export const ISSUER = 'https://bench.logto.app/oidc';
export const AUDIENCE = 'https://api.bench.example';
export const ROUTE_SCOPES = ['read:items'];
export const CACHE = DEFAULT_TOKEN_CACHE;

export type Route = '/open' | '/cache-on' | '/cache-off';

export interface ServerUsage {
  readonly type: 'usage';
  readonly cpuMicros: number;
  readonly heapUsed: number;
}

function verifiers(): Map<string, Verifier> {
  const jwks = JSON.parse(readFileSync(new URL('../fixtures/jwks.json', import.meta.url), 'utf8')) as unknown;
  const options: VerifierOptions = { issuer: ISSUER, audience: AUDIENCE, jwks, typ: 'at+jwt' };
  return new Map([
    ['/cache-on', createVerifier(options)],
    ['/cache-off', createVerifier({ ...options, cache: false })],
  ]);
}

function serve(): void {
  const protectedRoutes = verifiers();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/open') return sendJson(res, 200, { sub: 'anonymous' });
    const verify = protectedRoutes.get(req.url ?? '');
    if (verify === undefined) return sendJson(res, 404, { error: 'not_found' });
    verify(req.headersDistinct, { scopes: ROUTE_SCOPES }).then(
      (claims) => sendJson(res, 200, { sub: claims.sub }),
      (error: unknown) => (error instanceof AuthError ? sendAuthError(res, error, {}) : res.destroy()),
    );
  });
  server.listen(0, '127.0.0.1', () => {
    process.send!({ type: 'listening', port: (server.address() as AddressInfo).port });
  });
  process.on('message', (message: { type?: string }) => {
    if (message.type !== 'usage') return;
    const { user, system } = process.cpuUsage();
    process.send!({ type: 'usage', cpuMicros: user + system, heapUsed: process.memoryUsage().heapUsed } satisfies ServerUsage);
  });
  const stop = () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('disconnect', stop); // the parent died: do not outlive it
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.send === undefined) throw new Error('bench-http-server runs as a child of scripts/bench-http.ts');
  serve();
}

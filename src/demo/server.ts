// The clearjwt demo: a node:http API protected by bearer tokens, as a user would write it.
//
//   npm start                                         built-in local issuer, curl commands printed
//   ISSUER=https://<tenant>.logto.app/oidc AUDIENCE=https://api.example.com npm start
//   DPOP=required npm start                           sender-constrained tokens (RFC 9449)
//
// Routes: GET /user/info (any valid token), GET /admin/stats (scope "admin"),
// GET /organizations/:id/info (a token for that organization), GET /healthz, and the RFC 9728
// document at GET /.well-known/oauth-protected-resource.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { AuthError, createVerifier, type Claims, type RemoteKeyEvent, type Verifier } from '../index.js';
import { createDpopVerifier } from '../dpop/index.js';
import { createOrganizationVerifier, type OrganizationAuth } from '../logto/index.js';
import { createResourceMetadata, type ResourceMetadata } from '../resource-metadata.js';
import { ConfigError, loadConfig, type DemoConfig } from './config.js';
import { devKeyPath, removeDevKey, saveDevKey } from './dev-key.js';
import { ALLOWED_METHODS, corsHeaders, preflightHeaders, requestPath, sendAuthError, sendJson } from './http.js';
import { exportSigningKey, startLocalIssuer, type LocalIssuer } from './local-issuer.js';

export interface RunningServer {
  readonly url: string;
  readonly issuer: string;
  readonly audience: string;
  /** The built-in issuer, when no ISSUER was configured. */
  readonly localIssuer: LocalIssuer | undefined;
  /** Stops accepting, lets in-flight requests finish, then resolves. */
  close(): Promise<void>;
}

type Route = (req: IncomingMessage) => Promise<unknown>;

export async function startServer(config: DemoConfig, log: (line: string) => void = console.log): Promise<RunningServer> {
  const { issuer, localIssuer } = await chooseIssuer(config);
  // Filled once the server listens (the metadata URL needs its address) and the keys load.
  let routes: ReadonlyMap<string, Route> = new Map();
  let organizationRoute: ((id: string) => Route) | undefined;
  const routeFor = (path: string): Route | undefined => {
    const organization = /^\/organizations\/([^/]+)\/info$/.exec(path)?.[1];
    return organization === undefined ? routes.get(path) : organizationRoute?.(organization);
  };
  try {
    const inFlight = new Set<ServerResponse>();
    let shuttingDown = false;
    const server = createServer((req, res) => {
      const startedAt = performance.now();
      const path = requestPath(req);
      let note = '';
      inFlight.add(res);
      // One line per request; never the Authorization header or the query string.
      res.once('close', () => {
        inFlight.delete(res);
        const ms = (performance.now() - startedAt).toFixed(1);
        log(`${new Date().toISOString()} ${req.method} ${path.slice(0, 200)} ${res.statusCode} ${ms}ms${note}${res.writableFinished ? '' : ' (aborted)'}`);
      });
      if (shuttingDown) res.setHeader('connection', 'close');
      handle(req, res, path).then((code) => { note = code === undefined ? '' : ` ${code}`; }, (error: unknown) => {
        note = ' internal error';
        console.error(`internal error on ${req.method} ${path}:`, error);
        if (!res.headersSent) sendJson(res, 500, { error: 'internal_error', code: 'http.internal_error', message: 'Internal server error.' }, corsHeaders(config.corsOrigin));
        else res.destroy();
      });
    });

    // Returns the AuthError code, if any, for the log line.
    async function handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<string | undefined> {
      const cors = corsHeaders(config.corsOrigin);
      const route = routeFor(path);
      if (route === undefined) return void sendJson(res, 404, { error: 'not_found', code: 'http.not_found', message: 'No such route.' }, cors);
      if (req.method === 'OPTIONS') return void res.writeHead(204, { ...cors, ...preflightHeaders() }).end();
      if (req.method !== 'GET') {
        return void sendJson(res, 405, { error: 'method_not_allowed', code: 'http.method_not_allowed', message: 'Method not allowed.' }, { ...cors, allow: ALLOWED_METHODS });
      }
      try {
        sendJson(res, 200, await route(req), cors);
        return undefined;
      } catch (error) {
        if (!(error instanceof AuthError)) throw error;
        sendAuthError(res, error, cors);
        return error.code;
      }
    }

    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, resolve);
    });
    const { address, port } = server.address() as AddressInfo;
    const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
    const metadata = resourceMetadataFor(url, issuer, config);
    try {
      // Keys come the normal remote way even for the local issuer: discovery → JWKS → cache.
      const verify = createVerifier({
        issuer,
        audience: config.audience,
        jwksUri: config.jwksUri,
        requiredScopes: config.requiredScopes,
        typ: 'at+jwt', // RFC 9068 §4; Logto and the local issuer sign access tokens with it
        resourceMetadata: metadata?.url,
        onEvent: (event) => log(`keys: ${describeKeyEvent(event)}`),
      });
      await verify.ready(); // an unreachable or misconfigured issuer fails here, at boot
      // With DPOP on, the DPoP leaf wraps the same verifier. The htu origin is this server's
      // own URL, known once it listens; never the request's Host header.
      const verifyDpop = config.dpop === 'off' ? undefined
        : createDpopVerifier(verify, { mode: config.dpop, publicOrigin: () => url });
      const authenticate: Authenticate = (req, scopes) => (verifyDpop === undefined
        ? verify(req.headersDistinct, scopes && { scopes })
        : verifyDpop({ method: req.method ?? '', url: req.url ?? '/', headers: req.headersDistinct }, scopes && { scopes }));
      routes = demoRoutes(verify, authenticate, metadata);
      // The organization route takes Bearer tokens only: with DPOP on it is not offered, so it
      // cannot become a way around the DPoP requirement.
      const verifyOrganization = createOrganizationVerifier(verify, { apiAudience: config.audience });
      if (verifyDpop === undefined) {
        organizationRoute = (organization) => async (req) => organizationInfo(await verifyOrganization(req.headersDistinct, { organization }));
      }
    } catch (error) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      throw error;
    }
    let closing: Promise<void> | undefined;
    return {
      url,
      issuer,
      audience: config.audience,
      localIssuer,
      close: () => closing ??= new Promise<void>((resolve) => {
        // Stop accepting and close idle keep-alive connections (Node ≥ 19); requests in
        // flight finish, and their responses close their connections behind them.
        shuttingDown = true;
        for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
        server.close(() => resolve());
      }).then(() => localIssuer?.close()),
    };
  } catch (error) {
    await localIssuer?.close();
    throw error;
  }
}

// No ISSUER: start the built-in one, and verify its tokens exactly as a remote issuer's.
async function chooseIssuer(config: DemoConfig): Promise<{ issuer: string; localIssuer: LocalIssuer | undefined }> {
  if (config.issuer !== undefined) return { issuer: config.issuer, localIssuer: undefined };
  const localIssuer = await startLocalIssuer();
  return { issuer: localIssuer.issuer, localIssuer };
}

type Authenticate = (req: IncomingMessage, scopes?: string[]) => Promise<Claims>;

function demoRoutes(verify: Verifier, authenticate: Authenticate, metadata: ResourceMetadata | undefined): ReadonlyMap<string, Route> {
  const started = Date.now();
  return new Map<string, Route>([
    ['/healthz', async () => ({ status: 'ok', keys: verify.keyCache() })],
    ['/user/info', async (req) => userInfo(await authenticate(req))],
    ['/admin/stats', async (req) => {
      await authenticate(req, ['admin']); // 403 insufficient_scope without it
      return { uptime_seconds: Math.round((Date.now() - started) / 1000) };
    }],
    ...(metadata === undefined ? [] : [[metadata.path, async () => metadata.document] as [string, Route]]),
  ]);
}

// RFC 9728: this API, as the resource a client asks tokens for. The resource is the demo's
// own URL, so plain http is possible only on loopback (the leaf refuses anything else); on
// another host the demo runs without the document.
function resourceMetadataFor(url: string, issuer: string, config: DemoConfig): ResourceMetadata | undefined {
  try {
    return createResourceMetadata({ resource: url, scopes_supported: ['read:profile', 'admin', ...config.requiredScopes], resource_name: 'clearjwt demo' }, { issuer });
  } catch {
    return undefined;
  }
}

function organizationInfo(auth: OrganizationAuth): Record<string, unknown> {
  return { organization_id: auth.organizationId, kind: auth.kind, sub: auth.subject, client_id: auth.clientId, scopes: auth.scopes };
}

function userInfo(claims: Claims): Record<string, unknown> {
  const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter((scope) => scope !== '') : [];
  return {
    sub: claims.sub,
    client_id: claims.client_id,
    scopes,
    ...(claims.organization_id === undefined ? {} : { organization_id: claims.organization_id }),
  };
}

function describeKeyEvent(event: RemoteKeyEvent): string {
  switch (event.type) {
    case 'discovery': return `discovered ${event.jwksUri} from ${event.url} (${event.durationMs.toFixed(0)}ms)`;
    case 'fetch': case 'refresh': return `${event.type} ${event.url} (${event.reason}): kids ${event.kids.join(', ')} (${event.durationMs.toFixed(0)}ms)`;
    case 'fetch_failed': return `fetch ${event.url} failed: ${event.code}${event.servingStale ? ', serving the last good keys' : ''}; retry in ${Math.round(event.retryInMs / 1000)}s`;
    case 'key_skipped': return `skipped key #${event.index} (kid ${event.kid ?? 'none'}) of ${event.url}: ${event.code}`;
    // The kid is the token author's choice: quoted (escaping control characters) and cut short.
    case 'kid_refetch_suppressed': return `unknown kid ${JSON.stringify(event.kid ?? null).slice(0, 80)}: no refetch (${event.reason}); next allowed in ${Math.ceil(event.retryInMs / 1000)}s`;
  }
}

// ---- the command line: `npm start` -------------------------------------------------------

async function main(): Promise<void> {
  let config: DemoConfig | undefined;
  let running: RunningServer;
  try {
    config = loadConfig(process.env);
    running = await startServer(config);
  } catch (error) {
    console.error(`clearjwt demo: ${bootErrorLine(error, config)}`);
    process.exit(1);
  }
  const keyFile = devKeyPath(process.env);
  const local = running.localIssuer;
  if (local !== undefined) {
    saveDevKey(keyFile, { ...exportSigningKey(local.signingKey), audience: running.audience, apiUrl: running.url });
  }
  console.log(banner(running, config));

  const deadlineMs = 5_000;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.log(`${signal}: shutting down (finishing in-flight requests, at most ${deadlineMs / 1000} s)`);
      if (local !== undefined) removeDevKey(keyFile, local.signingKey.kid);
      setTimeout(() => {
        console.error('clearjwt demo: shutdown deadline passed; dropping the remaining connections');
        process.exit(1);
      }, deadlineMs).unref();
      running.close().then(() => process.exit(0), () => process.exit(1));
    });
  }
}

function banner(running: RunningServer, config: DemoConfig): string {
  const lines = [
    `clearjwt demo listening on ${running.url}`,
    `  issuer   ${running.issuer}${running.localIssuer === undefined ? '' : ' (built-in local issuer, ES384 key generated at start)'}`,
    `  audience ${running.audience}`,
  ];
  if (config.requiredScopes.length > 0) lines.push(`  required scopes ${config.requiredScopes.join(' ')}`);
  const local = running.localIssuer;
  if (local === undefined) {
    lines.push('', 'Get an access token for this audience from your issuer, then:',
      `  curl -i ${running.url}/user/info -H "Authorization: Bearer $TOKEN"`);
    return lines.join('\n');
  }
  const scope = ['read:profile', ...config.requiredScopes].join(' ');
  if (config.dpop !== 'off') return dpopBanner(lines, running, config.dpop, scope);
  const token = local.mintToken({ audience: running.audience, sub: 'user_123', scope });
  lines.push('',
    `Try it (the token below has scope "${scope}" and expires in an hour):`,
    `# expect 200: the token is valid`,
    `curl -i ${running.url}/user/info -H "Authorization: Bearer ${token}"`,
    `# expect 403: /admin/stats needs scope "admin", which the token lacks`,
    `curl -i ${running.url}/admin/stats -H "Authorization: Bearer ${token}"`,
    `# expect 401: no token`,
    `curl -i ${running.url}/user/info`,
    '',
    `Mint another: npm run token -- --scope "read:profile admin" --sub user_123`,
    `Organizations: npm run token -- --organization org1 (or --organization-api org1), then GET /organizations/org1/info`,
    '');
  return lines.join('\n');
}

// With DPoP on, tokens and proofs come from `npm run token` (which holds the client key).
function dpopBanner(lines: string[], running: RunningServer, mode: 'allowed' | 'required', scope: string): string {
  const url = `${running.url}/user/info`;
  lines.push(`  DPoP     ${mode} (RFC 9449): bound tokens need a proof per request${mode === 'required' ? '; Bearer is refused' : ''}`, '',
    'Try it (in this folder, while the demo runs):',
    `TOKEN=$(npm run -s token -- --dpop --scope "${scope}")`,
    '# expect 200: the bound token with a fresh proof for this method and URL',
    `curl -i ${url} -H "Authorization: DPoP $TOKEN" -H "DPoP: $(npm run -s token -- proof --method GET --url ${url} --token "$TOKEN")"`,
    '# expect 401 invalid_dpop_proof: no proof',
    `curl -i ${url} -H "Authorization: DPoP $TOKEN"`,
    mode === 'required' ? '# expect 401: DPoP is required, Bearer is refused' : '# expect 401 invalid_token: the bound token as Bearer (a downgrade)',
    `curl -i ${url} -H "Authorization: Bearer $TOKEN"`,
    '');
  return lines.join('\n');
}

// One line, no stack: the operator needs to know which setting to fix.
function bootErrorLine(error: unknown, config: DemoConfig | undefined): string {
  if (error instanceof ConfigError) return error.message;
  if (error instanceof AuthError) return `cannot load the signing keys (check ISSUER / JWKS_URI): ${error.code}: ${error.message}${causeText(error.cause)}`;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    const address = config === undefined ? 'HOST:PORT' : `${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
    return `cannot listen on ${address} (${code}); set PORT or HOST`;
  }
  // createVerifier throws TypeError for options it refuses (e.g. an http:// issuer that is not loopback).
  if (error instanceof TypeError) return `ISSUER, AUDIENCE or JWKS_URI refused: ${error.message}`;
  return `failed to start: ${String(error instanceof Error ? error.message : error)}`.replace(/\s+/g, ' ');
}

function causeText(cause: unknown): string {
  const parts: string[] = [];
  for (let current = cause; current instanceof Error && parts.length < 4; current = current.cause) {
    if (!parts.some((part) => part.includes(current.message))) parts.push(current.message); // nested causes often repeat
  }
  return parts.length === 0 ? '' : ` (${parts.join(': ')})`.replace(/\s+/g, ' ');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();

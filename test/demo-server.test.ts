// The demo server over real HTTP: in-process on 127.0.0.1 port 0 for the routes, and as a
// child process (`node --import tsx src/demo/server.ts`, what `npm start` runs) for boot,
// the printed curl commands, the token CLI and graceful shutdown.

import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AuthError } from '../src/index.js';
import { LOCAL_AUDIENCE, type DemoConfig } from '../src/demo/config.js';
import { corsHeaders, sendAuthError } from '../src/demo/http.js';
import type { LocalIssuer } from '../src/demo/local-issuer.js';
import { startServer, type RunningServer } from '../src/demo/server.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const CONFIG: DemoConfig = {
  issuer: undefined, audience: LOCAL_AUDIENCE, jwksUri: undefined, port: 0, host: '127.0.0.1', corsOrigin: '*', requiredScopes: [], dpop: 'off',
};

let running: RunningServer;
let issuer: LocalIssuer;
const logLines: string[] = [];
before(async () => {
  running = await startServer(CONFIG, (line) => logLines.push(line));
  assert.ok(running.localIssuer, 'running.localIssuer');
  issuer = running.localIssuer;
});
after(() => running.close());

const token = (request: { scope?: string; audience?: string; expiresIn?: number; organizationId?: string; organization?: string } = {}) =>
  issuer.mintToken({ audience: LOCAL_AUDIENCE, sub: 'user_123', scope: 'read:profile', ...request });

function get(path: string, authorization?: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (authorization !== undefined) headers.set('authorization', authorization);
  return fetch(`${running.url}${path}`, { ...init, headers });
}

// RFC 9728 §5.1: every 401 challenge names the demo's protected resource metadata.
async function assertAuthError(response: Response, status: number, code: string, challenge: string): Promise<void> {
  assert.equal(response.status, status);
  const metadata = status === 401 ? `, resource_metadata="${running.url}/.well-known/oauth-protected-resource"` : '';
  assert.equal(response.headers.get('www-authenticate'), challenge + metadata);
  assert.equal(response.headers.get('access-control-allow-origin'), '*');
  const body = (await response.json()) as Record<string, unknown>;
  assert.equal(body['code'], code);
  assert.deepEqual(Object.keys(body), ['error', 'code', 'message']);
}

// ---- routes ---------------------------------------------------------------------------

test('GET /user/info with a minted token → 200 {sub, client_id, scopes}', async () => {
  const response = await get('/user/info', `Bearer ${token({ scope: 'read:profile write:profile' })}`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('access-control-allow-origin'), '*');
  assert.deepEqual(await response.json(), { sub: 'user_123', client_id: 'demo-client', scopes: ['read:profile', 'write:profile'] });
});

test('GET /user/info includes organization_id when the token has one', async () => {
  const response = await get('/user/info', `Bearer ${token({ organizationId: 'org_42' })}`);
  assert.equal(((await response.json()) as Record<string, unknown>)['organization_id'], 'org_42');
});

test('GET /healthz needs no token, and shows the key cache', async () => {
  const response = await get('/healthz');
  assert.equal(response.status, 200);
  const body = (await response.json()) as { status: string; keys: { source: string; state: string; kids: string[]; failures: number } };
  assert.equal(body.status, 'ok');
  assert.deepEqual([body.keys.source, body.keys.state, body.keys.failures], ['remote', 'fresh', 0]);
  assert.deepEqual(body.keys.kids, [running.localIssuer!.signingKey.kid]);
});

test('an unknown kid whose refetch the cooldown suppresses is logged, the kid quoted', async () => {
  const forged = (kid: string) => [{ alg: 'ES384', kid }, {}].map((part) => Buffer.from(JSON.stringify(part)).toString('base64url')).join('.') + `.${'A'.repeat(128)}`;
  const before = logLines.length;
  for (const kid of ['made-up-1', 'made-up\n2']) {
    const response = await get('/user/info', `Bearer ${forged(kid)}`);
    assert.equal(response.status, 401);
  }
  const suppressed = logLines.slice(before).filter((line) => line.startsWith('keys: unknown kid'));
  assert.equal(suppressed.length, 1, logLines.slice(before).join('\n'));
  assert.match(suppressed[0]!, /^keys: unknown kid "made-up\\n2": no refetch \(cooldown\); next allowed in \d+s$/);
});

// RFC 6750 §3.1: no error attribute when the request carried no Bearer credentials.
const HEADER_ERRORS: Array<[string, string | undefined, string, string]> = [
  ['missing', undefined, 'auth.authorization_header_missing', 'Bearer realm="api"'],
  ['scheme only', 'Bearer', 'auth.authorization_token_invalid_format', 'Bearer realm="api", error="invalid_request", error_description="The Authorization header is not of the form: Bearer <token>."'],
  ['three parts', 'Bearer a b', 'auth.authorization_token_invalid_format', 'Bearer realm="api", error="invalid_request", error_description="The Authorization header is not of the form: Bearer <token>."'],
  ['not Bearer', 'Basic dXNlcjpwYXNz', 'auth.authorization_token_type_not_supported', 'Bearer realm="api"'],
];
for (const [name, authorization, code, challenge] of HEADER_ERRORS) {
  test(`Authorization ${name} → 401 ${code}`, async () => {
    await assertAuthError(await get('/user/info', authorization), 401, code, challenge);
  });
}

test('expired token → 401 auth.jwt_expired, error="invalid_token"', async () => {
  await assertAuthError(await get('/user/info', `Bearer ${token({ expiresIn: -60 })}`), 401, 'auth.jwt_expired',
    'Bearer realm="api", error="invalid_token", error_description="The token has expired."');
});

test('token for another API → 401 auth.jwt_audience_mismatch', async () => {
  await assertAuthError(await get('/user/info', `Bearer ${token({ audience: 'https://other.example.com' })}`), 401, 'auth.jwt_audience_mismatch',
    'Bearer realm="api", error="invalid_token", error_description="The token is not meant for this API (aud)."');
});

test('tampered token → 401 auth.jws_signature_invalid', async () => {
  const [header, , signature] = token().split('.');
  const payload = Buffer.from(JSON.stringify({ sub: 'admin', scope: 'admin', exp: 4e9, iss: issuer.issuer, aud: LOCAL_AUDIENCE })).toString('base64url');
  const response = await get('/admin/stats', `Bearer ${header}.${payload}.${signature}`);
  assert.equal(response.status, 401);
  assert.equal(((await response.json()) as Record<string, unknown>)['code'], 'auth.jws_signature_invalid');
});

test('GET /admin/stats without scope admin → 403 insufficient_scope, scope="admin"', async () => {
  await assertAuthError(await get('/admin/stats', `Bearer ${token()}`), 403, 'auth.insufficient_scope',
    'Bearer realm="api", error="insufficient_scope", error_description="The token lacks a scope this resource requires.", scope="admin"');
});

test('GET /admin/stats with scope admin → 200', async () => {
  const response = await get('/admin/stats', `Bearer ${token({ scope: 'read:profile admin' })}`);
  assert.equal(response.status, 200);
  assert.equal(typeof ((await response.json()) as Record<string, unknown>)['uptime_seconds'], 'number');
});

test('unknown path → 404 JSON; wrong method → 405 with Allow', async () => {
  const notFound = await get('/user');
  assert.equal(notFound.status, 404);
  assert.equal(((await notFound.json()) as Record<string, unknown>)['code'], 'http.not_found');
  for (const method of ['POST', 'DELETE', 'PUT']) {
    const response = await get('/user/info', `Bearer ${token()}`, { method });
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'GET, OPTIONS');
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    await response.body?.cancel();
  }
});

test('hostile request targets never reach a route by accident, nor a 500', async () => {
  for (const target of ['//user/info', '/user/info/', '/USER/INFO', '*', '/user/info/../admin/stats']) {
    const status = await rawStatus(running.url, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.ok(status === 404 || status === 400, `${target}: ${status}`);
  }
  const huge = await get('/user/info', `Bearer ${'a'.repeat(20_000)}`);
  assert.ok(huge.status === 401 || huge.status === 431, String(huge.status));
  await huge.body?.cancel();
});

// ---- CORS -----------------------------------------------------------------------------

test('every response exposes WWW-Authenticate and DPoP-Nonce to browsers (RFC 9449 §8)', async () => {
  const response = await get('/user/info');
  assert.equal(response.headers.get('access-control-expose-headers'), 'WWW-Authenticate, DPoP-Nonce');
  await response.arrayBuffer();
});

test('OPTIONS preflight → 204 with the CORS headers', async () => {
  const response = await get('/admin/stats', undefined, {
    method: 'OPTIONS', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
  });
  assert.equal(response.status, 204);
  assert.equal(response.headers.get('access-control-allow-origin'), '*');
  assert.equal(response.headers.get('access-control-allow-headers'), 'Content-Type, Authorization, DPoP');
  assert.equal(response.headers.get('access-control-allow-methods'), 'GET, OPTIONS');
  assert.equal(response.headers.get('access-control-max-age'), '600');
});

test('CORS_ORIGIN set: that origin on 200, 401 and 403, with Vary: Origin', async () => {
  const other = await startServer({ ...CONFIG, issuer: issuer.issuer, corsOrigin: 'http://localhost:5173' }, () => {});
  try {
    const cases: Array<[string, string | undefined, number]> = [
      ['/user/info', `Bearer ${token()}`, 200], ['/user/info', undefined, 401], ['/admin/stats', `Bearer ${token()}`, 403],
    ];
    for (const [path, authorization, status] of cases) {
      const response = await fetch(`${other.url}${path}`, { headers: authorization === undefined ? {} : { authorization } });
      assert.equal(response.status, status);
      assert.equal(response.headers.get('access-control-allow-origin'), 'http://localhost:5173');
      assert.equal(response.headers.get('vary'), 'Origin');
      await response.body?.cancel();
    }
  } finally {
    await other.close();
  }
});

// ---- 503 ------------------------------------------------------------------------------

test('keys unavailable → 503 with Retry-After and the JSON error', async () => {
  const server: Server = createServer((_req, res) => sendAuthError(res, new AuthError('auth.jwks_unavailable'), corsHeaders('*')));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('retry-after'), '30');
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    assert.deepEqual(await response.json(), { error: 'temporarily_unavailable', code: 'auth.jwks_unavailable', message: 'The signing keys could not be fetched.' });
  } finally {
    server.close();
  }
});

// ---- load and logs --------------------------------------------------------------------

test('a burst of 500 concurrent requests is answered correctly', async () => {
  const valid = `Bearer ${token()}`;
  const plan = Array.from({ length: 500 }, (_, index): [string, string | undefined, number] =>
    index % 4 === 0 ? ['/user/info', undefined, 401] : index % 4 === 1 ? ['/admin/stats', valid, 403] : ['/user/info', valid, 200]);
  const statuses = await Promise.all(plan.map(async ([path, authorization]) => {
    const response = await get(path, authorization);
    await response.arrayBuffer();
    return response.status;
  }));
  assert.deepEqual(statuses, plan.map(([, , status]) => status));
});

test('one log line per request, without the token or the query string', async () => {
  const secret = token();
  const before = logLines.length;
  await (await get('/user/info?access_token=query-secret', `Bearer ${secret}`)).arrayBuffer();
  await (await get('/user/info', 'Bearer not.a.token')).arrayBuffer();
  await new Promise((resolve) => setImmediate(resolve));
  const lines = logLines.slice(before);
  assert.equal(lines.length, 2);
  assert.match(lines[0] ?? '', /^\S+ GET \/user\/info 200 \d+\.\dms$/);
  assert.match(lines[1] ?? '', /^\S+ GET \/user\/info 401 \d+\.\dms auth\.\w+$/);
  for (const line of logLines) {
    assert.ok(!line.includes(secret.split('.')[2] ?? '') && !line.includes('query-secret') && !line.includes('Bearer'), line);
  }
});

// ---- the command line: boot, printed curl commands, token CLI, shutdown ---------------

interface Child {
  readonly process: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exited: Promise<number | null>;
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
}

const devDir = mkdtempSync(join(tmpdir(), 'clearjwt-demo-test-'));
const children: ChildProcess[] = [];
after(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(devDir, { recursive: true, force: true });
});

function spawnTs(script: string, args: string[], env: Record<string, string>): Child {
  const childEnv: Record<string, string | undefined> = { ...process.env, CLEARJWT_DEV_DIR: devDir, PORT: '0', ...env };
  for (const name of ['NODE_TEST_CONTEXT', 'ISSUER', 'AUDIENCE', 'JWKS_URI', 'HOST', 'CORS_ORIGIN', 'REQUIRED_SCOPES', 'DPOP']) {
    if (!(name in env)) delete childEnv[name];
  }
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: REPO, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const state: Child = {
    process: child, stdout: '', stderr: '',
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    waitFor: (pattern) => new Promise((resolve, reject) => {
      const check = () => {
        const match = state.stdout.match(pattern);
        if (match !== null) { child.stdout?.off('data', check); clearTimeout(timer); resolve(match); }
      };
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; stdout: ${state.stdout}; stderr: ${state.stderr}`)), 10_000);
      child.stdout?.on('data', check);
      void state.exited.then(() => { clearTimeout(timer); if (state.stdout.match(pattern) === null) reject(new Error(`exited before ${pattern}; stderr: ${state.stderr}`)); });
      check();
    }),
  };
  child.stdout?.on('data', (chunk: Buffer) => { state.stdout += chunk.toString(); });
  child.stderr?.on('data', (chunk: Buffer) => { state.stderr += chunk.toString(); });
  return state;
}

const spawnDemo = (env: Record<string, string> = {}) => spawnTs('src/demo/server.ts', [], env);
const LISTENING = /listening on (http:\/\/127\.0\.0\.1:\d+)\n/;

test('npm start prints curl commands that give the status they promise, and npm run token mints a working token', async () => {
  const demo = spawnDemo();
  try {
    await demo.waitFor(/Mint another/);
    // Each "# expect <status>" comment is followed by its curl command.
    const pairs = [...demo.stdout.matchAll(/^# expect (\d{3})\b.*\ncurl -i (\S+)(?: -H "Authorization: (Bearer [^"]+)")?$/gm)];
    assert.deepEqual(pairs.map((pair) => pair[1]), ['200', '403', '401']);
    for (const [, status, url, authorization] of pairs) {
      const response = await fetch(url ?? '', { headers: authorization === undefined ? {} : { authorization } });
      assert.equal(response.status, Number(status), `${url}`);
      await response.arrayBuffer();
    }

    const cli = spawnTs('src/demo/token.ts', ['--scope', 'read:profile admin', '--sub', 'user_456'], {});
    assert.equal(await cli.exited, 0, cli.stderr);
    const minted = cli.stdout.trim();
    const url = demo.stdout.match(LISTENING)?.[1];
    const admin = await fetch(`${url}/admin/stats`, { headers: { authorization: `Bearer ${minted}` } });
    assert.equal(admin.status, 200);
    await admin.arrayBuffer();
    const info = await fetch(`${url}/user/info`, { headers: { authorization: `Bearer ${minted}` } });
    assert.deepEqual(await info.json(), { sub: 'user_456', client_id: 'demo-client', scopes: ['read:profile', 'admin'] });
  } finally {
    demo.process.kill('SIGKILL');
  }
});

test('DPOP=required: npm run token mints a bound token and proofs; the curl session works', async () => {
  const demo = spawnDemo({ DPOP: 'required' });
  try {
    await demo.waitFor(/DPoP is required, Bearer is refused/);
    const url = `${demo.stdout.match(LISTENING)?.[1]}/user/info`;
    const tokenCli = spawnTs('src/demo/token.ts', ['--dpop', '--sub', 'user_789'], {});
    assert.equal(await tokenCli.exited, 0, tokenCli.stderr);
    const token = tokenCli.stdout.trim();
    const proofCli = () => spawnTs('src/demo/token.ts', ['proof', '--method', 'GET', '--url', url, '--token', token], {});
    const first = proofCli();
    assert.equal(await first.exited, 0, first.stderr);
    const proof = first.stdout.trim();
    const call = (headers: Record<string, string>) => fetch(url, { headers }).then(async (response) => ({
      status: response.status, challenge: response.headers.get('www-authenticate'), body: (await response.json()) as Record<string, unknown>,
    }));
    const ok = await call({ authorization: `DPoP ${token}`, dpop: proof });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body['sub'], 'user_789');
    assert.equal((await call({ authorization: `DPoP ${token}`, dpop: proof })).body['code'], 'auth.dpop_proof_replayed');
    const noProof = await call({ authorization: `DPoP ${token}` });
    assert.equal(noProof.body['code'], 'auth.dpop_proof_missing');
    assert.match(noProof.challenge ?? '', /^DPoP realm="api", error="invalid_dpop_proof", .*algs="ES256 /);
    assert.equal((await call({ authorization: `Bearer ${token}` })).body['code'], 'auth.dpop_scheme_required');
    const second = proofCli();
    assert.equal(await second.exited, 0, second.stderr);
    assert.equal((await call({ authorization: `DPoP ${token}`, dpop: second.stdout.trim() })).status, 200);
  } finally {
    demo.process.kill('SIGKILL');
  }
});

test('npm run token without a running demo fails with one line', async () => {
  const emptyDir = mkdtempSync(join(tmpdir(), 'clearjwt-demo-empty-'));
  try {
    const cli = spawnTs('src/demo/token.ts', [], { CLEARJWT_DEV_DIR: emptyDir });
    assert.equal(await cli.exited, 1);
    assert.match(cli.stderr, /^clearjwt token: no running demo found .*npm start\n$/);
  } finally {
    rmSync(emptyDir, { recursive: true, force: true });
  }
});

test('SIGTERM while requests are in flight: every request is answered, then exit 0', async () => {
  const demo = spawnDemo();
  try {
    const url = (await demo.waitFor(LISTENING))[1] ?? '';
    const bearer = demo.stdout.match(/Authorization: (Bearer [^"]+)"/)?.[1] ?? '';
    const { port } = new URL(url);
    // Requests the server has started reading but not finished: their last header line is
    // held back until after SIGTERM. A first full request on each connection proves the
    // server accepted it.
    const sockets = await Promise.all(Array.from({ length: 20 }, async () => {
      const socket = connect(Number(port), '127.0.0.1');
      const reader = responseReader(socket);
      socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n`);
      assert.match(await reader.next(), /^HTTP\/1\.1 200/);
      socket.write(`GET /user/info HTTP/1.1\r\nHost: x\r\nAuthorization: ${bearer}\r\n`);
      return { socket, reader };
    }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    demo.process.kill('SIGTERM');
    await demo.waitFor(/SIGTERM: shutting down/);
    for (const { socket } of sockets) socket.write('\r\n');
    for (const { reader } of sockets) {
      const response = await reader.next();
      assert.match(response, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(response, /\r\nConnection: close\r\n/i);
      assert.match(response, /"sub":"user_123"/);
    }
    assert.equal(await demo.exited, 0, demo.stderr);
  } finally {
    demo.process.kill('SIGKILL');
  }
});

test('boot with an unreachable ISSUER exits non-zero with one clear line', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as AddressInfo;
  await new Promise((resolve) => closed.close(resolve));
  const demo = spawnDemo({ ISSUER: `http://127.0.0.1:${port}/oidc`, AUDIENCE: 'https://api.example.com' });
  assert.notEqual(await demo.exited, 0);
  assert.match(demo.stderr, /^clearjwt demo: cannot load the signing keys \(check ISSUER \/ JWKS_URI\): auth\.[a-z_]+: [^\n]+\n$/);
  assert.doesNotMatch(demo.stdout, /listening/);
});

test('npm start: SIGTERM to the npm process stops everything and frees the port', async () => {
  const childEnv: Record<string, string | undefined> = { ...process.env, CLEARJWT_DEV_DIR: devDir, PORT: '0' };
  for (const name of ['NODE_TEST_CONTEXT', 'ISSUER', 'AUDIENCE', 'JWKS_URI', 'HOST', 'CORS_ORIGIN', 'REQUIRED_SCOPES', 'npm_lifecycle_event']) delete childEnv[name];
  const npm = spawn('npm', ['start', '--silent'], { cwd: REPO, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(npm);
  let stdout = '';
  npm.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
  let descendants: number[] = [];
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start did not listen: ${stdout}`)), 15_000);
      npm.stdout.on('data', () => {
        const match = LISTENING.exec(stdout);
        if (match?.[1] !== undefined) { clearTimeout(timer); resolve(match[1]); }
      });
    });
    descendants = processTree(npm.pid!);
    assert.ok(descendants.length >= 1, 'npm start runs the server in a child process');
    npm.kill('SIGTERM');
    await exited;
    // Every process npm started is gone (a shell that does not forward SIGTERM leaves the server running).
    await waitUntil(() => descendants.every((pid) => !isAlive(pid)), 10_000, `processes left behind: ${descendants.filter(isAlive).join(', ')}`);
    const port = Number(new URL(url).port);
    const probe = createServer();
    await new Promise<void>((resolve, reject) => { probe.once('error', reject); probe.listen(port, '127.0.0.1', resolve); });
    await new Promise((resolve) => probe.close(resolve));
  } finally {
    for (const pid of descendants) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    if (npm.exitCode === null && npm.signalCode === null) npm.kill('SIGKILL');
  }
});

test('a port in use: one line naming the host and port', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const { port } = taken.address() as AddressInfo;
  try {
    const demo = spawnDemo({ PORT: String(port), HOST: '127.0.0.1' });
    assert.equal(await demo.exited, 1);
    assert.equal(demo.stderr, `clearjwt demo: cannot listen on 127.0.0.1:${port} (EADDRINUSE); set PORT or HOST\n`);
  } finally {
    await new Promise((resolve) => taken.close(resolve));
  }
});

// The PIDs of every descendant of `pid` (Linux /proc), found through `ps`.
function processTree(pid: number): number[] {
  const lines = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' }).trim().split('\n');
  const pairs = lines.map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  for (let frontier = [pid]; frontier.length > 0;) {
    const next = pairs.filter(([, parent]) => frontier.includes(parent)).map(([child]) => child);
    found.push(...next);
    frontier = next;
  }
  return found;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(condition: () => boolean, withinMs: number, message: string): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(message);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const BAD_ENV: Array<[Record<string, string>, string]> = [
  [{ PORT: 'abc' }, 'PORT'],
  [{ ISSUER: 'https://tenant.logto.app/oidc' }, 'AUDIENCE'],
  [{ CORS_ORIGIN: 'localhost:5173' }, 'CORS_ORIGIN'],
];
test('bad environment variables exit non-zero with one line naming the variable', async () => {
  await Promise.all(BAD_ENV.map(async ([env, variable]) => {
    const demo = spawnDemo(env);
    assert.equal(await demo.exited, 1);
    assert.match(demo.stderr, new RegExp(`^clearjwt demo: ${variable} [^\\n]+\\n$`));
  }));
});

// ---- raw HTTP/1.1 helpers -----------------------------------------------------------------

async function rawStatus(url: string, request: string): Promise<number> {
  const socket = connect(Number(new URL(url).port), '127.0.0.1');
  const reader = responseReader(socket);
  socket.write(request);
  const response = await reader.next();
  socket.destroy();
  return Number(response.slice(9, 12));
}

/** Reads whole responses (headers + Content-Length body) off a socket, one per next(). */
function responseReader(socket: Socket): { next(): Promise<string> } {
  let buffered = '';
  let waiting: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => { buffered += chunk.toString('latin1'); waiting?.(); });
  socket.on('close', () => waiting?.());
  socket.on('error', () => waiting?.());
  const take = (): string | undefined => {
    const end = buffered.indexOf('\r\n\r\n');
    if (end === -1) return undefined;
    const length = Number(/\r\ncontent-length: (\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
    if (buffered.length < end + 4 + length) return undefined;
    const response = buffered.slice(0, end + 4 + length);
    buffered = buffered.slice(end + 4 + length);
    return response;
  };
  return {
    next: () => new Promise((resolve, reject) => {
      const attempt = () => {
        const response = take();
        if (response !== undefined) { waiting = undefined; resolve(response); } else if (socket.destroyed) reject(new Error(`connection closed: ${buffered}`));
      };
      waiting = attempt;
      attempt();
    }),
  };
}

// ---- Logto organizations, typ, and RFC 9728 metadata ------------------------------------

test('GET /organizations/:id/info: organization and organization-level API tokens for that id; 403 for others', async () => {
  const organizationToken = token({ scope: 'read:members', organization: 'org1' });
  const ok = await get('/organizations/org1/info', `Bearer ${organizationToken}`);
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { organization_id: 'org1', kind: 'organization', sub: 'user_123', client_id: 'demo-client', scopes: ['read:members'] });
  const apiToken = await get('/organizations/org1/info', `Bearer ${token({ organizationId: 'org1' })}`);
  assert.equal(((await apiToken.json()) as { kind: string }).kind, 'organization_api');
  const forbidden = 'Bearer realm="api", error="insufficient_scope", error_description=';
  for (const [path, bearerToken, code] of [
    ['/organizations/org2/info', organizationToken, 'auth.organization_mismatch'],
    ['/organizations/org2/info', token({ organizationId: 'org1' }), 'auth.organization_mismatch'],
    ['/organizations/org1/info', token(), 'auth.organization_token_required'],
    ['/organizations/org1%3Ax/info', organizationToken, 'auth.organization_id_invalid'],
  ] as const) {
    const response = await get(path, `Bearer ${bearerToken}`);
    assert.equal(response.status, 403, path);
    assert.ok(response.headers.get('www-authenticate')?.startsWith(forbidden), path);
    assert.equal(((await response.json()) as { code: string }).code, code, path);
  }
  await assertAuthError(await get('/organizations/org1/info'), 401, 'auth.authorization_header_missing', 'Bearer realm="api"');
});

test('the demo checks typ at+jwt (RFC 9068 §4): a token typed JWT is refused', async () => {
  const [header, payload, signature] = token().split('.') as [string, string, string];
  const plain = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(header, 'base64url').toString()), typ: 'JWT' })).toString('base64url');
  // Re-signed by the running issuer's key through node:crypto, so only typ differs.
  const { sign } = await import('node:crypto');
  const signingInput = `${plain}.${payload}`;
  const resigned = sign('sha384', Buffer.from(signingInput), { key: issuer.signingKey.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  assert.notEqual(resigned, signature);
  const response = await get('/user/info', `Bearer ${signingInput}.${resigned}`);
  assert.equal(response.status, 401);
  assert.equal(((await response.json()) as { code: string }).code, 'auth.jwt_typ_mismatch');
});

test('GET /.well-known/oauth-protected-resource serves the RFC 9728 document for this API', async () => {
  const response = await get('/.well-known/oauth-protected-resource');
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), {
    resource: running.url, authorization_servers: [issuer.issuer],
    scopes_supported: ['read:profile', 'admin'], bearer_methods_supported: ['header'], resource_name: 'clearjwt demo',
  });
});

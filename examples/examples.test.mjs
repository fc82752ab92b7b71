// Each example app, installed from the packed tarball with its real framework (see .ci/run),
// started against a local issuer and asked the same requests; every answer must match the
// one shared table in expectations.mjs. Run by .ci/run, not by the library's `npm test`:
//   node --test --test-concurrency=6 examples/examples.test.mjs

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AUDIENCE, EXPECTATIONS, HEADERS, ISSUER_DOWN } from './expectations.mjs';
import { startIssuer } from './issuer.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
/** The origin the DPoP route's clients use (the app listens on 127.0.0.1, as behind a proxy). */
const PUBLIC_ORIGIN = 'https://api.example.com';
const bin = (app, name) => join(HERE, app, 'node_modules', '.bin', name);

/** How each app is started: the same command its package.json `start` runs. */
export const APPS = {
  express: () => [process.execPath, ['server.js']],
  fastify: () => [process.execPath, ['server.js']],
  hono: () => [process.execPath, ['server.js']],
  'node-http': () => [process.execPath, ['server.js']],
  bun: () => [bin('bun', 'bun'), ['server.js']],
  deno: () => [bin('deno', 'deno'), ['run', '--allow-net=127.0.0.1', '--allow-env', '--allow-read', 'server.js']],
};

// The apps are independent (each has its own issuer and port): run them side by side.
describe('examples', { concurrency: true }, () => {
  for (const [app, command] of Object.entries(APPS)) {
    test(`examples/${app}: the shared table, issuer down first`, { timeout: 60_000 }, async () => {
      assert.ok(existsSync(join(HERE, app, 'node_modules', 'clearjwt')), `examples/${app} is not installed (run .ci/run)`);
      const issuer = await startIssuer();
      const running = startApp(app, ...command(), { ISSUER: issuer.issuer, AUDIENCE, PUBLIC_ORIGIN, PORT: '0' });
      try {
        const url = await running.url;
        const mint = (claims) => issuer.mint({ audience: AUDIENCE, ...claims });
        assert.deepEqual(await observe(url, ISSUER_DOWN, mint), expected(ISSUER_DOWN), `${app}: ${ISSUER_DOWN.name}`);
        issuer.up();
        await untilKeysLoad(url, mint);
        for (const row of EXPECTATIONS) assert.deepEqual(await observe(url, row, mint), expected(row), `${app}: ${row.name}\n${running.output()}`);
      } finally {
        running.stop();
        await running.exited;
        await issuer.close();
      }
    });
  }
});

// RFC 9449 with the real framework: the nonce challenge, the retry with the nonce, a replay,
// and a Bearer token where DPoP is required. Proofs are signed here with node:crypto.
test('examples/express: the DPoP route (nonce challenge, 200 with the nonce, replay and Bearer refused)', { timeout: 60_000 }, async () => {
  assert.ok(existsSync(join(HERE, 'express', 'node_modules', 'clearjwt')), 'examples/express is not installed (run .ci/run)');
  const issuer = await startIssuer();
  issuer.up();
  const running = startApp('express', ...APPS.express(), { ISSUER: issuer.issuer, AUDIENCE, PUBLIC_ORIGIN, PORT: '0' });
  try {
    const url = `${await running.url}/dpop/info`;
    const client = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = client.publicKey.export({ format: 'jwk' });
    const jkt = createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).digest('base64url'); // RFC 7638
    const token = issuer.mint({ audience: AUDIENCE, scope: 'read:profile', cnf: { jkt } });
    const proof = (nonce) => es256(client.privateKey, { typ: 'dpop+jwt', alg: 'ES256', jwk }, {
      jti: randomUUID(), htm: 'GET', htu: `${PUBLIC_ORIGIN}/dpop/info`, iat: Math.floor(Date.now() / 1000),
      ath: createHash('sha256').update(token).digest('base64url'), ...(nonce === undefined ? {} : { nonce }),
    });
    const call = async (headers) => {
      const response = await fetch(url, { headers });
      return { status: response.status, challenge: response.headers.get('www-authenticate'), nonce: response.headers.get('dpop-nonce'), body: await response.json() };
    };
    const first = await call({ authorization: `DPoP ${token}`, dpop: proof() });
    assert.equal(first.status, 401, running.output());
    assert.equal(first.body.code, 'auth.dpop_nonce_required');
    assert.match(first.challenge, /^DPoP realm="api", error="use_dpop_nonce", error_description="[^"]+", algs="ES256 [^"]+"$/);
    assert.match(first.nonce ?? '', /^[A-Za-z0-9_-]{43}$/);
    const withNonce = proof(first.nonce);
    assert.deepEqual(await call({ authorization: `DPoP ${token}`, dpop: withNonce }), { status: 200, challenge: null, nonce: first.nonce, body: { sub: 'user_123' } });
    const replay = await call({ authorization: `DPoP ${token}`, dpop: withNonce });
    assert.deepEqual([replay.status, replay.body.code, replay.nonce], [401, 'auth.dpop_proof_replayed', first.nonce]);
    const bearer = await call({ authorization: `Bearer ${token}` });
    assert.deepEqual([bearer.status, bearer.body.code, bearer.nonce], [401, 'auth.dpop_scheme_required', first.nonce]);
    assert.match(bearer.challenge, /^DPoP realm="api", algs="ES256 [^"]+"$/);
  } finally {
    running.stop();
    await running.exited;
    await issuer.close();
  }
});

function es256(privateKey, header, payload) {
  const input = [header, payload].map((part) => Buffer.from(JSON.stringify(part)).toString('base64url')).join('.');
  return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

function expected(row) {
  return { status: row.status, headers: row.headers === undefined ? undefined : pick(row.headers), body: row.body };
}

async function observe(url, row, mint) {
  const authorization = row.authorization(mint);
  const response = await fetch(`${url}${row.path}`, { headers: authorization === undefined ? {} : { authorization } });
  const headers = {};
  for (const name of HEADERS) headers[name] = response.headers.get(name);
  const body = await response.json();
  return { status: response.status, headers: row.headers === undefined ? undefined : headers, body };
}

const pick = (headers) => Object.fromEntries(HEADERS.map((name) => [name, headers[name] ?? null]));

// The key source backs off 1 s after the failed fetch; poll until a valid token passes.
async function untilKeysLoad(url, mint) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const response = await fetch(`${url}/user/info`, { headers: { authorization: `Bearer ${mint({ scope: 'read:profile' })}` } });
    await response.arrayBuffer();
    if (response.status === 200) return;
    if (Date.now() > deadline) assert.fail(`keys never loaded: last status ${response.status}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function startApp(app, file, args, env) {
  const child = spawn(file, args, { cwd: join(HERE, app), env: { ...process.env, ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${app} did not start: ${output}`)), 30_000);
    const check = () => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match !== null) { clearTimeout(timer); resolve(match[1]); }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`${app} exited (${code}) before listening: ${output}`)); });
  });
  return { url, exited, output: () => output, stop: () => child.kill('SIGTERM') };
}

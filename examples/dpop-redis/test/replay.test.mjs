// Two processes of one API, one real redis-server (REDIS_URL, started by .ci/run): a proof
// accepted by process A is refused when replayed to process B. Tokens and proofs are signed
// here with node:crypto, not with clearjwt.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';

const REDIS_URL = process.env.REDIS_URL;
const ISSUER = 'https://issuer.example.com';
const AUDIENCE = 'https://api.example.com';
const PUBLIC_ORIGIN = 'https://api.example.com';

const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
function es256(privateKey, header, payload) {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

const issuerKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const clientKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const clientJwk = clientKey.publicKey.export({ format: 'jwk' });
const jkt = createHash('sha256').update(JSON.stringify({ crv: clientJwk.crv, kty: clientJwk.kty, x: clientJwk.x, y: clientJwk.y })).digest('base64url');
const JWKS = { keys: [{ ...issuerKey.publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' }] };
const now = () => Math.floor(Date.now() / 1000);
const token = es256(issuerKey.privateKey, { alg: 'ES256', kid: 'k1', typ: 'at+jwt' },
  { iss: ISSUER, aud: AUDIENCE, sub: 'user_1', iat: now(), exp: now() + 600, cnf: { jkt } });
const proof = (path) => es256(clientKey.privateKey, { typ: 'dpop+jwt', alg: 'ES256', jwk: clientJwk }, {
  jti: randomUUID(), htm: 'GET', htu: `${PUBLIC_ORIGIN}${path}`, iat: now(),
  ath: createHash('sha256').update(token).digest('base64url'),
});

const apps = [];
async function startApp() {
  const child = spawn(process.execPath, [fileURLToPath(new URL('../app.mjs', import.meta.url))], {
    env: { ...process.env, REDIS_URL, ISSUER, AUDIENCE, JWKS: JSON.stringify(JWKS), PUBLIC_ORIGIN },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  apps.push(child);
  const [line] = await once(createInterface({ input: child.stdout }), 'line');
  return { pid: child.pid, url: `http://127.0.0.1:${JSON.parse(line).port}` };
}

const call = (app, dpopProof) => fetch(`${app.url}/resource`, { headers: { authorization: `DPoP ${token}`, dpop: dpopProof } })
  .then(async (response) => ({ status: response.status, body: await response.json() }));

let appA;
let appB;
before(async () => {
  assert.ok(REDIS_URL, 'REDIS_URL must point at a running redis-server (.ci/run starts one)');
  [appA, appB] = await Promise.all([startApp(), startApp()]);
});
after(async () => {
  for (const child of apps) child.kill('SIGTERM');
  await Promise.all(apps.map((child) => (child.exitCode === null ? once(child, 'exit') : undefined)));
});

test('a proof accepted by one process is refused when replayed to another', async () => {
  assert.notEqual(appA.pid, appB.pid);
  const replayed = proof('/resource');
  const first = await call(appA, replayed);
  assert.equal(first.status, 200);
  assert.equal(first.body.pid, appA.pid);
  const second = await call(appB, replayed);
  assert.equal(second.status, 401);
  assert.equal(second.body.code, 'auth.dpop_proof_replayed');
  assert.equal(second.body.pid, appB.pid);
  // And back to the first process: still refused.
  assert.equal((await call(appA, replayed)).body.code, 'auth.dpop_proof_replayed');
});

test('a fresh proof works on either process', async () => {
  assert.equal((await call(appB, proof('/resource'))).status, 200);
  assert.equal((await call(appA, proof('/resource'))).status, 200);
});

test('a Redis that does not answer fails the request closed: 503, not an accept', async () => {
  // CLIENT PAUSE holds every write command on the server, as an overloaded or stuck Redis would.
  const admin = createClient({ url: REDIS_URL });
  await admin.connect();
  try {
    await admin.sendCommand(['CLIENT', 'PAUSE', '4000', 'WRITE']);
    const paused = await call(appA, proof('/resource'));
    assert.equal(paused.status, 503);
    assert.equal(paused.body.code, 'auth.dpop_replay_store_unavailable');
  } finally {
    await admin.sendCommand(['CLIENT', 'UNPAUSE']);
    await admin.quit();
  }
  assert.equal((await call(appA, proof('/resource'))).status, 200, 'works again once Redis answers');
});

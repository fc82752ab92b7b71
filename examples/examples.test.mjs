// Each example app, installed from the packed tarball with its real framework (see .ci/run),
// started against a local issuer and asked the same requests; every answer must match the
// one shared table in expectations.mjs. Run by .ci/run, not by the library's `npm test`:
//   node --test --test-concurrency=6 examples/examples.test.mjs

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AUDIENCE, EXPECTATIONS, HEADERS, ISSUER_DOWN } from './expectations.mjs';
import { startIssuer } from './issuer.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
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
      const running = startApp(app, ...command(), { ISSUER: issuer.issuer, AUDIENCE, PORT: '0' });
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

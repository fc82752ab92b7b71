import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { AUTH_ERROR_CODES, AuthError } from '../src/errors.js';
import { fixtureJwk, signToken, startKeyServer } from './support/key-server.js';
import { REPO_ROOT } from './support/vectors.js';

// The README's error table is the documentation users rely on: it must list every code,
// with the status and RFC 6750 error the code really has.
test('readme: the error table lists every code with its status and RFC 6750 error', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  for (const code of AUTH_ERROR_CODES) {
    const error = new AuthError(code);
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
    assert.ok(row, `README has no row for ${code}`);
    const [, , status, bearerError] = row.split('|').map((cell) => cell.trim());
    assert.equal(status, String(error.status), code);
    assert.equal(bearerError, error.error ?? '—', code);
  }
});

// The README's node:http example, run as written (only the package name, the issuer and the
// port are swapped for local ones): no token is 401 with the challenge, a good token is 200.
test('readme: the node:http example runs and protects its route', async () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Protecting a `node:http` route'));
  const example = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(example !== undefined, 'README has the example');
  assert.ok(example.includes("'https://<tenant>.logto.app/oidc'") && example.includes('.listen(3000)'), 'example shape changed');

  const issuerServer = await startKeyServer({ keys: [fixtureJwk('es384-1')] });
  const port = await freePort();
  const folder = mkdtempSync(join(tmpdir(), 'clearjwt-readme-'));
  const script = join(folder, 'example.mts');
  writeFileSync(script, example
    .replace("from 'clearjwt'", `from ${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'src', 'index.ts')).href)}`)
    .replace("'https://<tenant>.logto.app/oidc'", JSON.stringify(issuerServer.issuer))
    .replace('.listen(3000)', `.listen(${port}, '127.0.0.1')`));
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  try {
    const url = `http://127.0.0.1:${port}/`;
    const first = await retryFetch(url, 10_000);
    assert.equal(first.status, 401, stderr);
    assert.equal(first.headers.get('www-authenticate'), 'Bearer realm="api"');
    assert.equal(first.headers.get('cache-control'), 'no-store');
    assert.deepEqual(await first.json(), { error: 'unauthorized', code: 'auth.authorization_header_missing', message: 'The Authorization header is missing.' });

    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: 'user_123', iss: issuerServer.issuer, aud: 'https://api.example.com', iat: now, exp: now + 60 };
    const token = signToken('ES384', 'es384-1', { ...claims, scope: 'read:profile' });
    const ok = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { sub: 'user_123' });

    const noScope = await fetch(url, { headers: { authorization: `Bearer ${signToken('ES384', 'es384-1', claims)}` } });
    assert.equal(noScope.status, 403);
    assert.match(noScope.headers.get('www-authenticate') ?? '', /error="insufficient_scope", .*scope="read:profile"/);
  } finally {
    child.kill();
    await issuerServer.close();
    rmSync(folder, { recursive: true, force: true });
  }
});

// Each stack's snippet in the README is the `#region readme` of the example app that CI runs
// (examples/<app>/server.js), character for character.
test('readme: every adapter snippet is the tested example app\'s code', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const snippets = [...readme.matchAll(/<!-- (examples\/[\w-]+\/server\.js)#readme -->\n```js\n([\s\S]*?)```/g)];
  assert.deepEqual(snippets.map(([, file]) => file), ['express', 'fastify', 'hono', 'node-http', 'bun', 'deno'].map((app) => `examples/${app}/server.js`));
  for (const [, file, snippet] of snippets) {
    const source = readFileSync(join(REPO_ROOT, file!), 'utf8');
    const region = /\/\/ #region readme\n([\s\S]*?)\/\/ #endregion/.exec(source)?.[1];
    assert.equal(snippet, region, `${file}: README differs from the example`);
  }
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// The child needs a moment to compile and listen; retry a refused connection until then.
async function retryFetch(url: string, withinMs: number): Promise<Response> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      return await fetch(url);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

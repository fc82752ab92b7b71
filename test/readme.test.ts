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

// The DPoP section's adapter snippet is the Express example's DPoP route, which CI runs.
test('readme: the DPoP adapter snippet is the tested Express example\'s DPoP route', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const snippet = /<!-- examples\/express\/server\.js#readme-dpop -->\n```js\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(snippet !== undefined, 'README has the DPoP adapter snippet');
  const source = readFileSync(join(REPO_ROOT, 'examples', 'express', 'server.js'), 'utf8');
  const region = /\/\/ #region readme-dpop\n([\s\S]*?)\/\/ #endregion/.exec(source)?.[1];
  assert.equal(snippet, region, 'README differs from examples/express/server.js');
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

// --- the Logto organizations, several issuers and resource metadata examples, run as written
// (package names, issuers and audiences swapped for local ones) ----------------------------

function exampleOf(heading: string): string {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `README has ${heading}`);
  const example = /```ts\n([\s\S]*?)```/.exec(readme.slice(start))?.[1];
  assert.ok(example !== undefined, `README has the example under ${heading}`);
  return example;
}

const PACKAGE_FILES: Record<string, string> = { clearjwt: 'index.js', 'clearjwt/logto': 'logto/index.js', 'clearjwt/resource-metadata': 'resource-metadata.js' };

async function importExample(example: string, replacements: ReadonlyArray<[string, string]>): Promise<Record<string, unknown>> {
  let source = example.replace(/from '(clearjwt[^']*)'/g, (_, name: string) =>
    `from ${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'src', PACKAGE_FILES[name]!)).href)}`);
  for (const [from, to] of replacements) {
    assert.ok(source.includes(from), `example shape changed: ${from}`);
    source = source.replaceAll(from, to);
  }
  const folder = mkdtempSync(join(tmpdir(), 'clearjwt-readme-'));
  const file = join(folder, 'example.ts');
  writeFileSync(file, source);
  try {
    return await import(pathToFileURL(file).href) as Record<string, unknown>;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

test('readme: the Logto organizations example accepts its organization and refuses others with 403', async () => {
  const issuerServer = await startKeyServer({ keys: [fixtureJwk('es384-1')] });
  try {
    const example = await importExample(exampleOf('## Logto organizations'), [["'https://<tenant>.logto.app/oidc'", JSON.stringify(issuerServer.issuer)]]);
    const listMembers = example['listMembers'] as (req: { headersDistinct: Record<string, string[]> }, id: string) => Promise<unknown>;
    const base = { iss: issuerServer.issuer, sub: 'user_123', client_id: 'app_1', iat: nowSeconds(), exp: nowSeconds() + 60 };
    const request = (claims: object) => ({ headersDistinct: { authorization: [`Bearer ${signToken('ES384', 'es384-1', { ...base, ...claims })}`] } });
    const organizationToken = { aud: 'urn:logto:organization:org1', scope: 'read:members' };
    assert.deepEqual(await listMembers(request(organizationToken), 'org1'), {
      organization: 'org1', user: 'user_123', client: 'app_1', scopes: ['read:members'], kind: 'organization',
    });
    const apiToken = { aud: 'https://api.example.com', organization_id: 'org1', scope: 'read:members' };
    assert.equal(((await listMembers(request(apiToken), 'org1')) as { kind: string }).kind, 'organization_api');
    await expectExampleCode(listMembers(request(organizationToken), 'org2'), 'auth.organization_mismatch');
    await expectExampleCode(listMembers(request(apiToken), 'org2'), 'auth.organization_mismatch');
    await expectExampleCode(listMembers(request({ aud: 'https://api.example.com', scope: 'read:members' }), 'org1'), 'auth.organization_token_required');
    await expectExampleCode(listMembers(request({ ...organizationToken, scope: 'read:profile' }), 'org1'), 'auth.insufficient_scope');
  } finally {
    await issuerServer.close();
  }
});

test('readme: the several-issuers example accepts each issuer with its own audience only', async () => {
  const production = await startKeyServer({ keys: [fixtureJwk('es384-1')] });
  const staging = await startKeyServer({ keys: [fixtureJwk('es256-1')] });
  try {
    const example = await importExample(exampleOf('## Several issuers'), [
      ["'https://<tenant>.logto.app/oidc'", JSON.stringify(production.issuer)],
      ["'https://<staging-tenant>.logto.app/oidc'", JSON.stringify(staging.issuer)],
    ]);
    const verify = example['verify'] as (headers: object) => Promise<{ iss: string }>;
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    const claims = (iss: string, aud: string) => ({ iss, aud, sub: 'user_123', iat: nowSeconds(), exp: nowSeconds() + 60 });
    assert.equal((await verify(bearer(signToken('ES384', 'es384-1', claims(production.issuer, 'https://api.example.com'))))).iss, production.issuer);
    assert.equal((await verify(bearer(signToken('ES256', 'es256-1', claims(staging.issuer, 'https://staging-api.example.com'))))).iss, staging.issuer);
    await expectExampleCode(verify(bearer(signToken('ES256', 'es256-1', claims(staging.issuer, 'https://api.example.com')))), 'auth.jwt_audience_mismatch');
    await expectExampleCode(verify(bearer(signToken('ES384', 'es384-1', claims('https://stranger.logto.app/oidc', 'https://api.example.com')))), 'auth.jwt_issuer_mismatch');
  } finally {
    await production.close();
    await staging.close();
  }
});

test('readme: the MCP example serves RFC 9728 metadata and names it in its 401 challenge', async () => {
  const issuerServer = await startKeyServer({ keys: [fixtureJwk('es384-1')] });
  const example = await importExample(exampleOf('## MCP servers / resource metadata'), [["'https://<tenant>.logto.app/oidc'", JSON.stringify(issuerServer.issuer)]]);
  const server = example['server'] as import('node:http').Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const document = await fetch(`${origin}/.well-known/oauth-protected-resource/mcp`);
    assert.equal(document.status, 200);
    assert.match(document.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(await document.json(), {
      resource: 'https://mcp.example.com/mcp', authorization_servers: [issuerServer.issuer],
      scopes_supported: ['mcp:tools'], bearer_methods_supported: ['header'],
    });
    const challenge = await fetch(`${origin}/mcp`);
    assert.equal(challenge.status, 401);
    assert.equal(challenge.headers.get('www-authenticate'),
      'Bearer realm="api", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"');
    const claims = { iss: issuerServer.issuer, aud: 'https://mcp.example.com/mcp', sub: 'user_123', iat: nowSeconds(), exp: nowSeconds() + 60 };
    const noScope = await fetch(`${origin}/mcp`, { headers: { authorization: `Bearer ${signToken('ES384', 'es384-1', claims)}` } });
    assert.equal(noScope.status, 403);
    assert.ok(!(noScope.headers.get('www-authenticate') ?? '').includes('resource_metadata'), '403 has no resource_metadata');
    const ok = await fetch(`${origin}/mcp`, { headers: { authorization: `Bearer ${signToken('ES384', 'es384-1', { ...claims, scope: 'mcp:tools' })}` } });
    assert.equal(ok.status, 200);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await issuerServer.close();
  }
});

// The example's AuthError class is its own module instance (imported from a temporary file),
// so the code is compared by name and code rather than with instanceof.
async function expectExampleCode(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.equal((error as Error).name, 'AuthError');
    assert.equal((error as { code?: string }).code, code);
    return true;
  });
}

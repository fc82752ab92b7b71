import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthError } from '../src/errors.js';
import { createResourceMetadata, resourceMetadataUrl } from '../src/resource-metadata.js';
import { createVerifier } from '../src/verifier.js';
import { expectCode } from './support/outcome.js';
import { fixturePath, readJson } from './support/vectors.js';

// RFC 9728 §3.1: the well-known path goes between host and path; a terminating "/" is dropped.
test('resource metadata: the well-known URL of a resource identifier (RFC 9728 §3, §3.1)', () => {
  const table: Array<[string, string]> = [
    ['https://api.example.com', 'https://api.example.com/.well-known/oauth-protected-resource'],
    ['https://api.example.com/', 'https://api.example.com/.well-known/oauth-protected-resource'],
    ['https://api.example.com/mcp', 'https://api.example.com/.well-known/oauth-protected-resource/mcp'],
    ['https://api.example.com/v1/mcp/', 'https://api.example.com/.well-known/oauth-protected-resource/v1/mcp'],
    ['https://api.example.com:8443/r', 'https://api.example.com:8443/.well-known/oauth-protected-resource/r'],
    ['http://127.0.0.1:3000/mcp', 'http://127.0.0.1:3000/.well-known/oauth-protected-resource/mcp'],
  ];
  assert.deepEqual(table.map(([resource]) => [resource, resourceMetadataUrl(resource)]), table);
  for (const bad of ['', 'api.example.com', 'http://api.example.com', 'https://api.example.com/#x', 'https://api.example.com/?a=1', 'ftp://x.test']) {
    assert.throws(() => resourceMetadataUrl(bad), TypeError, bad);
  }
});

test('resource metadata: the document has RFC 9728 §2\'s required resource, the defaults, and only known members', () => {
  const metadata = createResourceMetadata(
    { resource: 'https://api.example.com/mcp', scopes_supported: ['read:profile', 'admin'], resource_name: 'Demo' },
    { issuer: 'https://t.logto.app/oidc' },
  );
  assert.deepEqual(metadata.document, {
    resource: 'https://api.example.com/mcp', // §2 REQUIRED, §3.3 identical to the identifier the URL was made from
    authorization_servers: ['https://t.logto.app/oidc'], // default: the verifier's issuer(s)
    scopes_supported: ['read:profile', 'admin'],
    bearer_methods_supported: ['header'], // clearjwt reads the Authorization header
    resource_name: 'Demo',
  });
  assert.equal(metadata.url, 'https://api.example.com/.well-known/oauth-protected-resource/mcp');
  assert.equal(metadata.path, '/.well-known/oauth-protected-resource/mcp');
  assert.ok(Object.isFrozen(metadata.document) && Object.isFrozen(metadata.document['scopes_supported']), 'frozen');
  const several = createResourceMetadata({ resource: 'https://api.example.com' }, { issuers: [{ issuer: 'https://a.test/oidc', audience: 'x' }, { issuer: 'https://b.test/oidc', audience: 'y' }] });
  assert.deepEqual(several.document['authorization_servers'], ['https://a.test/oidc', 'https://b.test/oidc']);
  assert.deepEqual(createResourceMetadata({ resource: 'https://api.example.com' }).document, { resource: 'https://api.example.com', bearer_methods_supported: ['header'] });
});

test('resource metadata: bad or unknown members are TypeErrors', () => {
  const bad = [
    {}, { resource: 'https://x.test#f' }, { resource: 'https://x.test', scopes: ['a'] }, { resource: 'https://x.test', scopes_supported: ['a b'] },
    { resource: 'https://x.test', bearer_methods_supported: ['cookie'] }, { resource: 'https://x.test', authorization_servers: [] },
    { resource: 'https://x.test', authorization_servers: ['http://evil.test'] }, { resource: 'https://x.test', resource_name: '' },
    { resource: 'https://x.test', resource_documentation: 'docs' },
  ];
  const accepted = bad.filter((options) => {
    try {
      createResourceMetadata(options as never);
      return true;
    } catch (error) {
      return !(error instanceof TypeError);
    }
  });
  assert.deepEqual(accepted, []);
});

// RFC 9728 §5.1: the 401 challenge names the metadata URL; 403 and 503 do not.
test('resource metadata: every 401 challenge carries resource_metadata, 403 and 503 do not', async () => {
  const { url } = createResourceMetadata({ resource: 'https://api.example.com/mcp' });
  const verify = createVerifier({ issuer: 'https://t.logto.app/oidc', audience: 'https://api.example.com/mcp', jwks: readJson(fixturePath('jwks.json')), resourceMetadata: url });
  const challenge = `resource_metadata="${url}"`;
  await assert.rejects(verify({}), (error: unknown) => error instanceof AuthError && error.wwwAuthenticate === `Bearer realm="api", ${challenge}`);
  await assert.rejects(verify.token('a.b.c'), (error: unknown) => error instanceof AuthError && error.status === 401 && error.wwwAuthenticate.endsWith(`, ${challenge}`));
  await assert.rejects(verify({ authorization: 'Basic x' }), (error: unknown) => error instanceof AuthError && error.wwwAuthenticate.endsWith(challenge));
  for (const code of ['auth.insufficient_scope', 'auth.organization_mismatch', 'auth.jwks_unavailable'] as const) {
    assert.ok(!new AuthError(code, { resourceMetadata: url }).wwwAuthenticate.includes('resource_metadata'), code);
  }
  await expectCode(verify({}), 'auth.authorization_header_missing');
});

test('resource metadata: the resourceMetadata option is an http(s) URL that fits a quoted-string', () => {
  for (const resourceMetadata of ['', 'not a url', 'https://x.test/a"b', 'https://x.test/a b', 'https://x.test/#f', 'javascript:alert(1)', 5]) {
    assert.throws(() => createVerifier({ issuer: 'https://t.logto.app/oidc', audience: 'x', resourceMetadata } as never), TypeError, String(resourceMetadata));
  }
});

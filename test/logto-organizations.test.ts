import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthError } from '../src/errors.js';
import { createOrganizationVerifier, ORGANIZATION_URN_PREFIX } from '../src/logto/organizations.js';
import { createVerifier, type VerifierOptions } from '../src/verifier.js';
import { fixturePath, loadManifest, readJson } from './support/vectors.js';
import { assertAllAsExpected, expectCode, outcome } from './support/outcome.js';

// The openssl fixtures for Logto's three token kinds × right/wrong organization × right/wrong
// audience (scripts/gen-fixtures.sh, section c), each with its expected code.
const manifest = loadManifest() as ReturnType<typeof loadManifest> & { now: number; issuer: string; audience: string };
const cases = manifest.cases.filter((item) => item.layer === 'organization') as ReadonlyArray<typeof manifest.cases[number] & { organization?: string }>;
const BASE: VerifierOptions = {
  issuer: manifest.issuer, audience: manifest.audience, typ: 'at+jwt',
  jwks: readJson(fixturePath('jwks-es384.json')), now: () => manifest.now * 1000,
};
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const fixture = (name: string) => cases.find((item) => item.name === `organization/${name}`)!;

test('organizations: every fixture case ends as the manifest says, through headers and through verify.token', async () => {
  assert.equal(cases.length, 16, 'the fixture set changed');
  const verify = createVerifier(BASE);
  const verifyOrganization = createOrganizationVerifier(verify, { apiAudience: manifest.audience });
  const rows = [];
  for (const item of cases) {
    const organization = item.organization;
    const byHeaders = () => organization === undefined ? verify(bearer(item.token)) : verifyOrganization(bearer(item.token), { organization });
    const byToken = () => organization === undefined ? verify.token(item.token) : verifyOrganization.token(item.token, { organization });
    rows.push({ name: item.name, expected: item.expect, actual: await outcome(byHeaders()) });
    rows.push({ name: `${item.name} (token)`, expected: item.expect, actual: await outcome(byToken()) });
  }
  assertAllAsExpected(rows);
});

test('organizations: the verified result holds what Logto\'s guides build by hand', async () => {
  const verifyOrganization = createOrganizationVerifier(createVerifier(BASE), { apiAudience: manifest.audience });
  const organizationToken = await verifyOrganization(bearer(fixture('organization-token-right-org').token), { organization: 'org7a1b2c3d', scopes: ['read:members'] });
  assert.deepEqual({ ...organizationToken, claims: undefined }, {
    kind: 'organization', subject: 'user_123', clientId: 'demo-client', organizationId: 'org7a1b2c3d',
    scopes: ['read:members'], audience: [`${ORGANIZATION_URN_PREFIX}org7a1b2c3d`], claims: undefined,
  });
  const apiToken = await verifyOrganization(bearer(fixture('organization-api-token-right-org').token), { organization: 'org7a1b2c3d' });
  assert.equal(apiToken.kind, 'organization_api');
  assert.deepEqual(apiToken.scopes, ['read:profile', 'write:profile']);
  assert.deepEqual(apiToken.audience, [manifest.audience]);
  assert.equal(apiToken.claims['organization_id'], 'org7a1b2c3d');
  assert.ok(Object.isFrozen(apiToken) && Object.isFrozen(apiToken.scopes), 'the result is frozen');
});

test('organizations: scopes are the core\'s check (403 insufficient_scope), and 403s carry the realm', async () => {
  const verify = createVerifier({ ...BASE, realm: 'orgs' });
  const verifyOrganization = createOrganizationVerifier(verify, { apiAudience: manifest.audience, realm: 'orgs' });
  await assert.rejects(verifyOrganization(bearer(fixture('organization-token-right-org').token), { organization: 'org7a1b2c3d', scopes: ['delete:members'] }),
    (error: unknown) => error instanceof AuthError && error.code === 'auth.insufficient_scope' && error.wwwAuthenticate.includes('scope="delete:members"'));
  for (const name of ['organization-token-other-org', 'global-token-on-organization-route', 'route-id-with-urn']) {
    const item = fixture(name);
    await assert.rejects(verifyOrganization(bearer(item.token), { organization: item.organization! }), (error: unknown) =>
      error instanceof AuthError && error.code === item.expect && error.status === 403
      && error.wwwAuthenticate.startsWith('Bearer realm="orgs", error="insufficient_scope"'));
  }
});

test('organizations: an expired token for another organization is 401 auth.jwt_expired, not 403', async () => {
  const later = createVerifier({ ...BASE, now: () => (manifest.now + 10 * 365 * 86400) * 1000 });
  const verifyOrganization = createOrganizationVerifier(later, { apiAudience: manifest.audience });
  const item = fixture('organization-token-other-org');
  assert.equal(item.expect, 'auth.organization_mismatch', 'the fixture is another organization\'s valid token');
  await expectCode(verifyOrganization(bearer(item.token), { organization: item.organization! }), 'auth.jwt_expired');
  await expectCode(verifyOrganization.token(item.token, { organization: item.organization! }), 'auth.jwt_expired');
});

test('organizations: no token is still 401 from the core; a bad id is refused before the token is looked at', async () => {
  const verifyOrganization = createOrganizationVerifier(createVerifier(BASE), { apiAudience: manifest.audience });
  await expectCode(verifyOrganization({}, { organization: 'org7a1b2c3d' }), 'auth.authorization_header_missing');
  for (const organization of ['', 'a:b', 'urn:logto:organization:x', 'x y', 'x"', 'x%20', 'é', 'x'.repeat(129), 5]) {
    await expectCode(verifyOrganization({}, { organization } as never), 'auth.organization_id_invalid', String(organization));
  }
});

test('organizations: a malformed call or factory option is the caller\'s bug: a TypeError', async () => {
  const verify = createVerifier(BASE);
  const verifyOrganization = createOrganizationVerifier(verify, { apiAudience: [manifest.audience] });
  await assert.rejects(verifyOrganization({}, { organisation: 'x' } as never), TypeError);
  await assert.rejects(verifyOrganization({}, null as never), TypeError);
  await assert.rejects(verifyOrganization(bearer(fixture('organization-token-right-org').token), { organization: 'org7a1b2c3d', scopes: 'read' } as never), TypeError);
  for (const options of [{}, { apiAudience: '' }, { apiAudience: [] }, { apiAudience: [1] }, { apiAudience: 'x', audience: 'y' }]) {
    assert.throws(() => createOrganizationVerifier(verify, options as never), TypeError, JSON.stringify(options));
  }
});

// Issue 13: each refusal of the leaf says, for the server's logs, what the route asked for and
// what the token holds: its organization_id and aud (not secrets), never the token.
test('organizations: each refusal carries an organization detail with the route\'s id and the token\'s', async () => {
  const verifyOrganization = createOrganizationVerifier(createVerifier(BASE), { apiAudience: manifest.audience });
  const detailOf = async (name: string, organization: unknown = fixture(name).organization) => {
    const error = await verifyOrganization.token(fixture(name).token, { organization } as { organization: string }).then(() => undefined, (caught: unknown) => caught);
    assert.ok(error instanceof AuthError, `${name}: not refused with an AuthError`);
    return { code: error.code, detail: error.detail };
  };
  const rows: Array<[string, unknown, unknown]> = [
    ['organization-token-other-org', undefined, { code: 'auth.organization_mismatch', detail: {
      check: 'organization', reason: 'mismatch', expected: 'org9z8y7x6w', audience: [`${ORGANIZATION_URN_PREFIX}org7a1b2c3d`], organizationId: undefined } }],
    ['organization-api-token-other-org', undefined, { code: 'auth.organization_mismatch', detail: {
      check: 'organization', expected: 'org9z8y7x6w', organizationId: 'org7a1b2c3d', audience: [manifest.audience], reason: 'mismatch' } }],
    ['organization-api-token-urn-of-other-org', undefined, { code: 'auth.organization_mismatch', detail: {
      check: 'organization', reason: 'mismatch', expected: 'org7a1b2c3d', audience: [`${ORGANIZATION_URN_PREFIX}org9z8y7x6w`], organizationId: 'org9z8y7x6w' } }],
    ['global-token-on-organization-route', undefined, { code: 'auth.organization_token_required', detail: {
      check: 'organization', expected: 'org7a1b2c3d', organizationId: undefined, audience: [manifest.audience], reason: 'token_required' } }],
    ['route-id-with-urn', undefined, { code: 'auth.organization_id_invalid', detail: {
      check: 'organization', reason: 'id_invalid', expected: '[A-Za-z0-9_-]{1,128}', type: 'string', found: 'org7a1b2c3d:x' } }],
    ['route-id-with-urn', 'o'.repeat(300), { code: 'auth.organization_id_invalid', detail: {
      check: 'organization', reason: 'id_invalid', expected: '[A-Za-z0-9_-]{1,128}', type: 'string', found: 'o'.repeat(129) } }],
    ['route-id-with-urn', 42, { code: 'auth.organization_id_invalid', detail: {
      check: 'organization', reason: 'id_invalid', expected: '[A-Za-z0-9_-]{1,128}', type: 'number', found: undefined } }],
  ];
  for (const [name, organization, expected] of rows) {
    assert.deepEqual(await detailOf(name, organization ?? fixture(name).organization), expected, `${name} ${String(organization)}`);
  }
});

// `npm run token -- --scope "read:profile admin" --sub user_123`: mints an access token with
// the key of the demo that `npm start` is running (see dev-key.ts for how it gets the key).
// Prints the token alone on stdout, so `TOKEN=$(npm run -s token -- --scope admin)` works.

import { parseArgs } from 'node:util';
import { devKeyPath, loadDevKey } from './dev-key.js';
import { importSigningKey, mintToken } from './local-issuer.js';

const USAGE = `usage: npm run token -- [--sub user_123] [--scope "read:profile admin"] [--aud <audience>]
                       [--expires-in 3600] [--client-id demo-client]
                       [--organization <id> | --organization-api <id>]
  (no organization flag)   a global API resource token: aud = the API
  --organization <id>      an organization token: aud = urn:logto:organization:<id>
  --organization-api <id>  an organization-level API resource token: aud = the API, organization_id = <id>`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sub: { type: 'string', default: 'user_123' },
      scope: { type: 'string', default: 'read:profile' },
      aud: { type: 'string' },
      'expires-in': { type: 'string', default: '3600' },
      'client-id': { type: 'string', default: 'demo-client' },
      organization: { type: 'string' },
      'organization-api': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) return console.log(USAGE);
  if (!/^-?\d+$/.test(values['expires-in'])) fail(`--expires-in must be a whole number of seconds\n${USAGE}`);
  const expiresIn = Number(values['expires-in']);

  const path = devKeyPath(process.env);
  const devKey = loadDevKey(path);
  if (devKey === undefined) fail(`no running demo found (${path} is missing): start it with npm start`);
  // The file outlives a crashed demo; a token signed with a dead key would only puzzle you.
  if (!(await issuerPublishes(devKey.issuer, devKey.kid))) {
    fail(`the demo that wrote ${path} is no longer running (its issuer ${devKey.issuer} does not answer with key ${devKey.kid}): start it with npm start`);
  }

  const { organization, 'organization-api': organizationApi } = values;
  if (organization !== undefined && organizationApi !== undefined) fail(`--organization and --organization-api are two kinds of token; pick one\n${USAGE}`);
  const audience = values.aud ?? devKey.audience;
  const token = mintToken(importSigningKey(devKey), {
    audience, sub: values.sub, scope: values.scope, expiresIn, clientId: values['client-id'], organization, organizationId: organizationApi,
  });
  const organizationId = organization ?? organizationApi;
  const route = organizationId === undefined ? '/user/info' : `/organizations/${organizationId}/info`;
  console.log(token);
  console.error(`\n# sub=${values.sub} scope="${values.scope}" ${organization === undefined ? `aud=${audience}` : `aud=urn:logto:organization:${organization}`}${organizationApi === undefined ? '' : ` organization_id=${organizationApi}`}; try:\ncurl -i ${devKey.apiUrl}${route} -H "Authorization: Bearer ${token}"`);
}

async function issuerPublishes(issuer: string, kid: string): Promise<boolean> {
  try {
    const response = await fetch(`${issuer}/jwks`, { signal: AbortSignal.timeout(2_000) });
    const jwks = (await response.json()) as { keys?: Array<{ kid?: unknown }> };
    return jwks.keys?.some((key) => key.kid === kid) === true;
  } catch {
    return false;
  }
}

function fail(message: string): never {
  console.error(`clearjwt token: ${message}`);
  process.exit(1);
}

try {
  await main();
} catch (error) {
  fail(error instanceof Error ? error.message : String(error)); // e.g. an unknown --option
}

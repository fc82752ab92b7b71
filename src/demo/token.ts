// `npm run token -- --scope "read:profile admin" --sub user_123`: mints an access token with
// the key of the demo that `npm start` is running (see dev-key.ts for how it gets the key).
// Prints the token alone on stdout, so `TOKEN=$(npm run -s token -- --scope admin)` works.
//
// DPoP (RFC 9449): `--dpop` binds the token to the demo client key (.clearjwt-dev/dpop-client.json,
// created on first use), and `npm run -s token -- proof --method GET --url <url> --token "$TOKEN"`
// prints a proof for one request signed with that key.

import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { devKeyPath, loadDevKey } from './dev-key.js';
import { loadOrCreateClientKey, makeProof } from './dpop-client.js';
import { importSigningKey, mintToken } from './local-issuer.js';

const USAGE = `usage: npm run token -- [--sub user_123] [--scope "read:profile admin"] [--aud <audience>]
                       [--expires-in 3600] [--client-id demo-client] [--dpop]
                       [--organization <id> | --organization-api <id>]
       npm run token -- proof --method GET --url http://127.0.0.1:3000/user/info [--token <access token>]
  (no organization flag)   a global API resource token: aud = the API
  --organization <id>      an organization token: aud = urn:logto:organization:<id>
  --organization-api <id>  an organization-level API resource token: aud = the API, organization_id = <id>`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      sub: { type: 'string', default: 'user_123' },
      scope: { type: 'string', default: 'read:profile' },
      aud: { type: 'string' },
      'expires-in': { type: 'string', default: '3600' },
      'client-id': { type: 'string', default: 'demo-client' },
      organization: { type: 'string' },
      'organization-api': { type: 'string' },
      dpop: { type: 'boolean', default: false },
      method: { type: 'string' },
      url: { type: 'string' },
      token: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) return console.log(USAGE);
  const clientKeyPath = join(dirname(devKeyPath(process.env)), 'dpop-client.json');
  if (positionals[0] === 'proof') {
    if (values.method === undefined || values.url === undefined) fail(`proof needs --method and --url\n${USAGE}`);
    return console.log(makeProof(loadOrCreateClientKey(clientKeyPath), values.method, values.url, values.token));
  }
  if (positionals.length > 0) fail(`unknown command ${JSON.stringify(positionals[0])}\n${USAGE}`);
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
  const jkt = values.dpop ? loadOrCreateClientKey(clientKeyPath).jkt : undefined;
  const token = mintToken(importSigningKey(devKey), {
    audience, sub: values.sub, scope: values.scope, expiresIn, clientId: values['client-id'], organization, organizationId: organizationApi, jkt,
  });
  const organizationId = organization ?? organizationApi;
  const route = organizationId === undefined ? '/user/info' : `/organizations/${organizationId}/info`;
  console.log(token);
  const url = `${devKey.apiUrl}${route}`;
  const kind = `${organization === undefined ? `aud=${audience}` : `aud=urn:logto:organization:${organization}`}${organizationApi === undefined ? '' : ` organization_id=${organizationApi}`}`;
  console.error(jkt === undefined
    ? `\n# sub=${values.sub} scope="${values.scope}" ${kind}; try:\ncurl -i ${url} -H "Authorization: Bearer ${token}"`
    : `\n# DPoP-bound (cnf.jkt=${jkt}); with TOKEN set to it, try:\ncurl -i ${url} -H "Authorization: DPoP $TOKEN" -H "DPoP: $(npm run -s token -- proof --method GET --url ${url} --token "$TOKEN")"`);
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

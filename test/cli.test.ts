// The clearjwt command as a user runs it: a subprocess (`node --import tsx src/cli/main.ts`)
// against the openssl fixtures and a real loopback issuer. Every run starts at load time,
// a few at a time, and each test awaits its own: the suite costs a handful of process starts
// in wall time, not one after another.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { AUTH_ERROR_CODES } from '../src/index.js';
import { STAGE_OF_CODE, stageOf, stageResults } from '../src/cli/stages.js';
import { badFixtureJwk, fixtureJwk, signToken, startKeyServer } from './support/key-server.js';
import { fixturePath, loadManifest, REPO_ROOT } from './support/vectors.js';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const MAX_PARALLEL = 4;
let running = 0;
const waiting: Array<() => void> = [];

async function cli(args: readonly string[], stdin?: string): Promise<Run> {
  if (running >= MAX_PARALLEL) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await new Promise<Run>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
        cwd: REPO_ROOT, env: { ...process.env, NO_COLOR: '' }, stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk; });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(stdin ?? '');
    });
  } finally {
    running--;
    waiting.shift()?.();
  }
}

// ---- fixtures and a loopback issuer ------------------------------------------------------

const manifest = loadManifest() as ReturnType<typeof loadManifest> & { now: number; issuer: string; audience: string };
const fixture = (name: string): string => {
  const found = manifest.cases.find((entry) => entry.name === name);
  assert.ok(found, `no fixture case ${name}`);
  return found.token;
};
const STATIC = ['--issuer', manifest.issuer, '--audience', manifest.audience, '--jwks', fixturePath('jwks.json'), '--now', String(manifest.now)];
// The Logto organization cases (scripts/gen-fixtures.sh, section c): their key set, and each case's route organization.
const ORG_STATIC = ['--issuer', manifest.issuer, '--audience', manifest.audience, '--jwks', fixturePath('jwks-es384.json'), '--now', String(manifest.now)];
const orgCase = (name: string): { token: string; organization: string; expect: string } => {
  const found = manifest.cases.find((entry) => entry.name === `organization/${name}`) as { token: string; organization?: string; expect: string } | undefined;
  assert.ok(found?.organization !== undefined, `no organization fixture case ${name}`);
  return found as { token: string; organization: string; expect: string };
};
const orgRun = (name: string, ...more: string[]) => cli(['verify', orgCase(name).token, ...ORG_STATIC, '--organization', orgCase(name).organization, ...more]);

// RFC 7638 §3.1 and RFC 8037 A.2: published keys whose thumbprints the RFCs give.
const RFC7638_JWK = {
  kty: 'RSA', alg: 'RS256', kid: '2011-04-29', e: 'AQAB',
  n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
};
const RFC8037_JWK = { kty: 'OKP', crv: 'Ed25519', kid: 'rfc8037', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' };

const server = await startKeyServer({
  keys: [fixtureJwk('es256-1'), RFC7638_JWK, RFC8037_JWK, { ...badFixtureJwk('rsa-1024'), kid: 'small' }, { ...badFixtureJwk('ec-private'), kid: 'secret' }],
});
// A port that refuses connections: a server that was started and closed.
const closedPort = await new Promise<number>((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address() as AddressInfo;
    probe.close(() => resolve(port));
  });
});
// An issuer whose every key is unusable: the command is there to say why.
const badServer = await startKeyServer({ keys: [{ ...badFixtureJwk('ec-offcurve'), kid: 'bent' }, { ...fixtureJwk('es256-1'), use: 'enc' }] });
after(() => Promise.all([server.close(), badServer.close()]));

const hour = () => Math.floor(Date.now() / 1000) + 3600;
const remoteToken = signToken('ES256', 'es256-1', { sub: 'user_remote', iss: server.issuer, aud: 'https://api.example.com', exp: hour(), scope: 'read' });
const REMOTE = ['--issuer', server.issuer, '--audience', 'https://api.example.com'];

// A payload that tries to drive the terminal: an OSC title sequence and an 8-bit CSI.
const hostileToken = [{ alg: 'ES256' }, { sub: '\u001b]0;owned\u0007', name: 'a\u009b31mb' }]
  .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url')).join('.') + '.c2ln';

// ---- all runs, started now ---------------------------------------------------------------

const runs = {
  decode: cli(['decode', fixture('jwt/logto-valid'), '--now', String(manifest.now)]),
  decodeStdin: cli(['decode', '-', '--now', String(manifest.now)], `${fixture('jwt/logto-valid')}\n`),
  decodeJson: cli(['decode', fixture('jwt/logto-valid'), '--json', '--now', String(manifest.now)]),
  decodeNotJws: cli(['decode', 'not-a-token']),
  decodeHostile: cli(['decode', hostileToken]),
  valid: cli(['verify', fixture('jwt/logto-valid'), ...STATIC]),
  bearer: cli(['verify', 'two words', ...STATIC]),
  jws: cli(['verify', fixture('jws/two-segments'), ...STATIC]),
  header: cli(['verify', fixture('jws/alg-none-with-signature'), ...STATIC]),
  key: cli(['verify', fixture('es256/wrong-kid'), ...STATIC]),
  signature: cli(['verify', fixture('es256/tampered-signature'), ...STATIC]),
  claims: cli(['verify', fixture('jwt/wrong-issuer'), ...STATIC]),
  scope: cli(['verify', fixture('jwt/missing-scope'), ...STATIC, '--scope', 'admin']),
  scopeJson: cli(['verify', fixture('jwt/missing-scope'), ...STATIC, '--scope', 'read:profile admin', '--json']),
  remoteValid: cli(['verify', '-', ...REMOTE, '--scope', 'read'], remoteToken),
  network: cli(['verify', remoteToken, '--issuer', `http://127.0.0.1:${closedPort}/oidc`, '--audience', 'https://api.example.com']),
  keys: cli(['keys', server.issuer]),
  keysJson: cli(['keys', `${server.origin}${server.jwksPath}`, '--json']),
  keysNetwork: cli(['keys', `http://127.0.0.1:${closedPort}/oidc`]),
  keysNoneUsable: cli(['keys', badServer.issuer, '--json']),
  unknownFlag: cli(['verify', fixture('jwt/logto-valid'), ...STATIC, '--audiance', 'x']),
  usage: cli(['verify', fixture('jwt/logto-valid'), '--audience', 'x']),
  organization: orgRun('route-id-with-urn'),
  orgValid: orgRun('organization-token-right-org', '--scope', 'read:members'),
  orgApiValidJson: orgRun('organization-api-token-right-org', '--json'),
  orgOther: orgRun('organization-token-other-org'),
  orgOtherJson: orgRun('organization-api-token-other-org', '--json'),
  orgGlobal: orgRun('global-token-on-organization-route'),
  noCommand: cli([]),
  help: cli(['verify', '--help']),
};

// ---- verify ------------------------------------------------------------------------------

/** The stage table of a text report: [stage, result] per line. */
function stageTable(stdout: string): string[][] {
  return stdout.split('\n').map((line) => /^ {2}(\w+) +(pass|FAIL|not reached|unknown) +RFC /.exec(line))
    .filter((match) => match !== null).map((match) => [match[1]!, match[2]!]);
}

const STAGE_NAMES = ['bearer', 'jws', 'header', 'key', 'signature', 'claims', 'scopes'];
function expectedStages(failing: string | undefined): string[][] {
  const at = failing === undefined ? STAGE_NAMES.length : STAGE_NAMES.indexOf(failing);
  return STAGE_NAMES.map((name, i) => [name, i < at ? 'pass' : i === at ? 'FAIL' : 'not reached']);
}

/** The `code`/`status`/`message` lines printed under the failing stage. */
function errorRows(stdout: string): string[][] {
  return stdout.split('\n').map((line) => /^ {13}(code|status|message|cause) +(.+)$/.exec(line))
    .filter((match) => match !== null).map((match) => [match[1]!, match[2]!]);
}

test('cli verify: a valid openssl-signed token passes every stage, exit 0, claims shown, token not printed', async () => {
  const run = await runs.valid;
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(stageTable(run.stdout), expectedStages(undefined));
  assert.match(run.stdout, /^VALID: every stage passed\.$/m);
  assert.match(run.stdout, /^ {2}exp +1767229200 {2}2026-01-01T01:00:00Z \(in 60 min\)$/m);
  assert.ok(!run.stdout.includes(fixture('jwt/logto-valid').split('.')[2]!), 'the token\'s signature was printed');
  assert.equal(run.stderr, '');
});

// One refusal per class: the failing stage, its code, status and message, the verdict line.
const REFUSALS: Array<[keyof typeof runs, string, string, string, string]> = [
  ['bearer', 'bearer', 'auth.authorization_token_invalid_format', '401 invalid_request', 'The Authorization header is not of the form: Bearer <token>.'],
  ['jws', 'jws', 'auth.jws_malformed', '401 invalid_token', 'The token is not a compact JWS of three segments.'],
  ['header', 'header', 'auth.jws_alg_not_allowed', '401 invalid_token', 'The token is signed with an algorithm this server does not accept.'],
  ['key', 'key', 'auth.jwks_key_not_found', '401 invalid_token', 'No key in the key set matches the token.'],
  ['signature', 'signature', 'auth.jws_signature_invalid', '401 invalid_token', 'The token signature is invalid.'],
  ['claims', 'claims', 'auth.jwt_issuer_mismatch', '401 invalid_token', 'The token was issued by an untrusted issuer.'],
  ['scope', 'scopes', 'auth.insufficient_scope', '403 insufficient_scope', 'The token lacks a scope this resource requires.'],
];
for (const [run, stage, code, status, message] of REFUSALS) {
  test(`cli verify: refused at ${stage} with ${code}, exit 1, the later stages not reached`, async () => {
    const result = await runs[run];
    assert.equal(result.code, 1, result.stderr);
    assert.deepEqual(stageTable(result.stdout), expectedStages(stage));
    assert.deepEqual(errorRows(result.stdout), [['code', code], ['status', status], ['message', message]]);
    assert.match(result.stdout, new RegExp(`^REFUSED: ${code.replace('.', '\\.')} \\(${status}\\)$`, 'm'));
    assert.equal(result.stderr, '');
  });
}

test('cli verify: a refused token is never printed, not even its signature', async () => {
  for (const [run, name] of [['signature', 'es256/tampered-signature'], ['claims', 'jwt/wrong-issuer']] as const) {
    const { stdout } = await runs[run];
    for (const segment of fixture(name).split('.')) assert.ok(!stdout.includes(segment), `${run} printed a token segment`);
  }
});

test('cli verify: token from stdin, keys by discovery from a loopback issuer → valid, exit 0', async () => {
  const run = await runs.remoteValid;
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(stageTable(run.stdout), expectedStages(undefined));
  assert.match(run.stdout, /^keys +OIDC discovery from the issuer$/m);
  assert.match(run.stdout, /^ {2}sub +"user_remote"$/m);
});

test('cli verify: an issuer that cannot be reached is not a verdict: key stage fails with the 503 code, exit 2', async () => {
  const run = await runs.network;
  assert.equal(run.code, 2, run.stderr);
  assert.deepEqual(stageTable(run.stdout), expectedStages('key'));
  const rows = errorRows(run.stdout);
  assert.deepEqual(rows.slice(0, 3), [['code', 'auth.discovery_invalid'], ['status', '503'], ['message', 'The OpenID Provider configuration could not be used.']]);
  assert.match(rows[3]?.[1] ?? '', new RegExp(`^GET http://127\\.0\\.0\\.1:${closedPort}/oidc/\\.well-known/openid-configuration: fetch failed \\(ECONNREFUSED\\)$`));
  assert.match(run.stdout, /^NOT DECIDED: auth\.discovery_invalid \(503\)/m);
});

test('cli verify --json: outcome, exit code, every stage with its RFC, the error on the failing one', async () => {
  const run = await runs.scopeJson;
  assert.equal(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout) as { outcome: string; exitCode: number; stages: Array<Record<string, unknown>> };
  assert.deepEqual(Object.keys(report), ['outcome', 'exitCode', 'stages']);
  assert.equal(report.outcome, 'refused');
  assert.equal(report.exitCode, 1);
  assert.deepEqual(report.stages.map((stage) => [stage['stage'], stage['result']]),
    expectedStages('scopes').map(([name, result]) => [name, result === 'FAIL' ? 'fail' : result]));
  assert.equal(report.stages[0]!['rfc'], 'RFC 6750 §2.1');
  assert.deepEqual(report.stages[6]!['error'], {
    code: 'auth.insufficient_scope', status: 403, error: 'insufficient_scope', message: 'The token lacks a scope this resource requires.',
    detail: { check: 'scope', missing: ['admin'], required: ['read:profile', 'admin'] }, // the core's server-side detail (issue 13)
  });
});

test('cli stages: the catch-all names no stage, so after bearer nothing is known; every code has an entry', () => {
  assert.deepEqual(stageResults('auth.verification_failed', { organization: false }).map(({ name, result }) => [name, result]),
    STAGE_NAMES.map((name, i) => [name, i === 0 ? 'pass' : 'unknown']));
  // The DPoP leaf's codes: `clearjwt verify` does not run that leaf. The Logto leaf's it does (--organization).
  const verifierCodes = AUTH_ERROR_CODES.filter((code) => !code.startsWith('auth.dpop_'));
  assert.deepEqual(verifierCodes.filter((code) => !Object.hasOwn(STAGE_OF_CODE, code)), []);
  assert.deepEqual(verifierCodes.filter((code) => stageOf(code) === undefined), ['auth.verification_failed']);
  assert.deepEqual(AUTH_ERROR_CODES.filter((code) => stageOf(code) === 'organization'),
    ['auth.organization_id_invalid', 'auth.organization_mismatch', 'auth.organization_token_required']);
});

// ---- verify --organization: the Logto leaf, as a service's organization route runs it ----

const ORG_STAGE_NAMES = [...STAGE_NAMES, 'organization'];
/** The stage table with --organization; `failing` may be two stages (the core's, then the leaf's). */
function expectedOrgStages(...failing: string[]): string[][] {
  const last = failing.length === 0 ? ORG_STAGE_NAMES.length : ORG_STAGE_NAMES.indexOf(failing[0]!);
  return ORG_STAGE_NAMES.map((name, i) => [name, failing.includes(name) ? 'FAIL' : i < last ? 'pass' : 'not reached']);
}
/** The error lines under the failing stages, detail included. */
function orgErrorRows(stdout: string): string[][] {
  return stdout.split('\n').map((line) => /^ {16}(code|status|message|detail\.\w+) +(.+)$/.exec(line))
    .filter((match) => match !== null).map((match) => [match[1]!, match[2]!]);
}

test('cli verify --organization: an organization token on its organization passes every stage, organization last; exit 0', async () => {
  const run = await runs.orgValid;
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(stageTable(run.stdout), expectedOrgStages());
  assert.match(run.stdout, /^ {2}organization {2}pass {2}RFC 7519 §4.1.3, Logto "Validate access tokens"$/m);
  assert.match(run.stdout, /^organization +org7a1b2c3d \(clearjwt\/logto\)$/m);
  assert.match(run.stdout, /^an organization token for org7a1b2c3d$/m);
  assert.match(run.stdout, /^ {2}aud +"urn:logto:organization:org7a1b2c3d"$/m);
});

test('cli verify --organization --json: an organization-level API token: the organization stage, kind and id', async () => {
  const run = await runs.orgApiValidJson;
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as { outcome: string; stages: Array<Record<string, unknown>>; organization: unknown };
  assert.equal(report.outcome, 'valid');
  assert.deepEqual(report.stages.map((stage) => [stage['stage'], stage['result']]), ORG_STAGE_NAMES.map((name) => [name, 'pass']));
  assert.equal(report.stages[7]!['rfc'], 'RFC 7519 §4.1.3, Logto "Validate access tokens"');
  assert.deepEqual(report.organization, { kind: 'organization_api', organizationId: 'org7a1b2c3d' });
});

test('cli verify --organization: an organization token for another organization: the core\'s aud refusal, then 403 organization_mismatch; exit 1', async () => {
  const run = await runs.orgOther;
  assert.equal(run.code, 1, run.stderr);
  assert.deepEqual(stageTable(run.stdout), expectedOrgStages('claims', 'organization'));
  assert.deepEqual(orgErrorRows(run.stdout), [
    ['code', 'auth.jwt_audience_mismatch'], ['status', '401 invalid_token'], ['message', 'The token is not meant for this API (aud).'],
    ['detail.check', '"aud"'], ['detail.expected', `["${manifest.audience}","urn:logto:organization:org9z8y7x6w"]`],
    ['detail.found', '"urn:logto:organization:org7a1b2c3d"'],
    ['code', 'auth.organization_mismatch'], ['status', '403 insufficient_scope'], ['message', 'The token is for another organization.'],
    ['detail.check', '"organization"'], ['detail.reason', '"mismatch"'], ['detail.expected', '"org9z8y7x6w"'],
    ['detail.audience', '["urn:logto:organization:org7a1b2c3d"]'], ['detail.organizationId', 'undefined'],
  ]);
  assert.match(run.stdout, /^REFUSED: auth\.organization_mismatch \(403 insufficient_scope\)$/m);
  assert.ok(!run.stdout.includes(orgCase('organization-token-other-org').token.split('.')[2]!), 'the token\'s signature was printed');
});

test('cli verify --organization --json: an organization-level API token for another organization: the organization stage fails with its detail', async () => {
  const run = await runs.orgOtherJson;
  assert.equal(run.code, 1, run.stderr);
  const report = JSON.parse(run.stdout) as { outcome: string; exitCode: number; stages: Array<Record<string, unknown>> };
  assert.deepEqual(Object.keys(report), ['outcome', 'exitCode', 'stages']);
  assert.deepEqual(report.stages.map((stage) => [stage['stage'], stage['result']]),
    expectedOrgStages('organization').map(([name, result]) => [name, result === 'FAIL' ? 'fail' : result]));
  assert.deepEqual(report.stages[7]!['error'], {
    code: 'auth.organization_mismatch', status: 403, error: 'insufficient_scope', message: 'The token is for another organization.',
    detail: { check: 'organization', expected: 'org9z8y7x6w', organizationId: 'org7a1b2c3d', audience: [manifest.audience], reason: 'mismatch' },
  });
});

test('cli verify --organization: a global token on an organization route: 403 organization_token_required; exit 1', async () => {
  const run = await runs.orgGlobal;
  assert.equal(run.code, 1, run.stderr);
  assert.deepEqual(stageTable(run.stdout), expectedOrgStages('organization'));
  assert.deepEqual(orgErrorRows(run.stdout), [
    ['code', 'auth.organization_token_required'], ['status', '403 insufficient_scope'],
    ['message', 'This resource needs a token for its organization; the token is not for any organization.'],
    ['detail.check', '"organization"'], ['detail.expected', '"org7a1b2c3d"'], ['detail.organizationId', 'undefined'],
    ['detail.audience', `["${manifest.audience}"]`], ['detail.reason', '"token_required"'],
  ]);
  assert.match(run.stdout, /^REFUSED: auth\.organization_token_required \(403 insufficient_scope\)$/m);
});

// ---- decode ------------------------------------------------------------------------------

test('cli decode: header and payload marked UNVERIFIED, times as dates relative to --now', async () => {
  const run = await runs.decode;
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.split('\n');
  assert.equal(lines[0], 'UNVERIFIED: decoded only. Neither the signature nor any claim has been checked.');
  for (const line of [
    '  alg  "ES384"',
    '  iat        1767225540  2025-12-31T23:59:00Z (60 s ago)',
    '  exp        1767229200  2026-01-01T01:00:00Z (in 60 min)',
    '  sub        "user_123"',
    'signature  96 bytes, not checked',
  ]) assert.ok(lines.includes(line), `missing line ${JSON.stringify(line)}`);
});

test('cli decode -: the token from standard input decodes the same', async () => {
  const [fromArgument, fromStdin] = await Promise.all([runs.decode, runs.decodeStdin]);
  assert.equal(fromStdin.code, 0, fromStdin.stderr);
  assert.equal(fromStdin.stdout, fromArgument.stdout);
});

test('cli decode --json: { verified: false, header, payload, signatureBytes, times }', async () => {
  const run = await runs.decodeJson;
  assert.equal(run.code, 0, run.stderr);
  const decoded = JSON.parse(run.stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(decoded), ['verified', 'header', 'payload', 'signatureBytes', 'times']);
  assert.equal(decoded['verified'], false);
  assert.deepEqual(decoded['header'], { alg: 'ES384', typ: 'at+jwt', kid: 'es384-1' });
  assert.equal((decoded['payload'] as Record<string, unknown>)['sub'], 'user_123');
  assert.deepEqual(decoded['times'], {
    exp: { iso: '2026-01-01T01:00:00Z', relative: 'in 60 min' },
    iat: { iso: '2025-12-31T23:59:00Z', relative: '60 s ago' },
  });
});

test('cli decode: input that is not a JWS is refused with its code on stderr, exit 1', async () => {
  const run = await runs.decodeNotJws;
  assert.equal(run.code, 1);
  assert.equal(run.stdout, '');
  assert.equal(run.stderr, 'clearjwt decode: refused: auth.jws_malformed: The token is not a compact JWS of three segments.\n');
});

test('cli decode: control characters in claims are shown escaped, never sent to the terminal', async () => {
  const run = await runs.decodeHostile;
  assert.equal(run.code, 0, run.stderr);
  assert.ok(!/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.test(run.stdout), 'a raw control character reached stdout');
  assert.ok(run.stdout.includes('  sub   "\\u001b]0;owned\\u0007"'), 'sub not shown escaped');
  assert.ok(run.stdout.includes('  name  "a\\u009b31mb"'), 'name not shown escaped');
});

// ---- keys --------------------------------------------------------------------------------

test('cli keys <issuer>: discovery, every key with kid, type, size, algorithms, RFC 7638 thumbprint, why skipped', async () => {
  const run = await runs.keys;
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.split('\n').map((line) => line.trimEnd().split(/ {2,}/));
  assert.deepEqual(lines.slice(0, 3), [
    ['issuer', server.issuer], ['jwks_uri', `${server.origin}${server.jwksPath}`], ['keys', '5: 3 usable, 2 skipped'],
  ]);
  const rows = lines.slice(5, 10).map((cells) => cells.slice(1));
  assert.deepEqual(rows.map((cells) => cells.slice(0, 4)), [
    ['0', 'es256-1', 'EC', 'P-256'],
    ['1', '2011-04-29', 'RSA', '2048 bits'],
    ['2', 'rfc8037', 'OKP', 'Ed25519'],
    ['3', 'small', 'RSA', '1024 bits'],
    ['4', 'secret', 'EC', 'P-256'],
  ]);
  assert.deepEqual(rows.map((cells) => cells[4]), ['ES256', 'RS256', 'EdDSA Ed25519', '-', '-']);
  // The thumbprints RFC 7638 §3.1 and RFC 8037 A.3 publish for these two keys.
  assert.equal(rows[1]![5], 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  assert.equal(rows[2]![5], 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  assert.deepEqual(rows.map((cells) => cells[6]), ['usable', 'usable', 'usable', 'skipped: auth.jwk_rsa_too_small', 'skipped: auth.jwk_private_key']);
});

test('cli keys <jwks-uri> --json: no discovery, one object per key', async () => {
  const run = await runs.keysJson;
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as { jwksUri: string; keys: Array<Record<string, unknown>> };
  assert.deepEqual(Object.keys(report), ['jwksUri', 'keys']);
  assert.equal(report.jwksUri, `${server.origin}${server.jwksPath}`);
  assert.deepEqual(report.keys[1], {
    index: 1, kid: '2011-04-29', kty: 'RSA', curve: null, bits: 2048, algorithms: ['RS256'],
    thumbprint: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs', usable: true,
  });
  assert.deepEqual(report.keys[3], {
    index: 3, kid: 'small', kty: 'RSA', curve: null, bits: 1024, algorithms: [], thumbprint: report.keys[3]!['thumbprint'],
    usable: false, code: 'auth.jwk_rsa_too_small',
  });
});

test('cli keys: a set with no usable key is still listed, each key with its reason; exit 1', async () => {
  const run = await runs.keysNoneUsable;
  assert.equal(run.code, 1, run.stderr);
  assert.equal(run.stderr, 'clearjwt keys: the verifier refuses this set: auth.jwks_no_usable_key (503): The key set holds no key this server can use.\n');
  const report = JSON.parse(run.stdout) as { keys: Array<Record<string, unknown>> };
  assert.deepEqual(report.keys.map((key) => [key['kid'], key['usable'], key['code']]), [
    ['bent', false, 'auth.jwk_invalid'], ['es256-1', false, 'auth.jwk_not_for_signature'],
  ]);
});

test('cli keys: an issuer that cannot be reached → its 503 code and cause on stderr, exit 2', async () => {
  const run = await runs.keysNetwork;
  assert.equal(run.code, 2);
  assert.equal(run.stdout, '');
  assert.equal(run.stderr, 'clearjwt keys: auth.discovery_invalid (503): The OpenID Provider configuration could not be used.\n'
    + `  cause: GET http://127.0.0.1:${closedPort}/oidc/.well-known/openid-configuration: fetch failed (ECONNREFUSED)\n`
    + '  cause: fetch failed\n'
    + `  cause: connect ECONNREFUSED 127.0.0.1:${closedPort}\n`);
});

// ---- usage -------------------------------------------------------------------------------

test('cli: usage errors exit 2 with the reason and a usage line on stderr, nothing on stdout', async () => {
  const cases: Array<[keyof typeof runs, RegExp]> = [
    ['unknownFlag', /^clearjwt verify: Unknown option '--audiance'\. .*\nusage: clearjwt verify <token \| -> --issuer <url>/],
    ['usage', /^clearjwt verify: --issuer and --audience are required\nusage: clearjwt verify /],
    ['organization', /^clearjwt verify: --organization "org7a1b2c3d:x": The requested organization id is not a valid organization id\. \(letters, digits, _ and -, 1 to 128\)\nusage: /],
    ['noCommand', /^clearjwt: a command is required\nusage: clearjwt <decode \| verify \| keys>/],
  ];
  for (const [name, stderr] of cases) {
    const run = await runs[name];
    assert.equal(run.code, 2, name);
    assert.equal(run.stdout, '', name);
    assert.match(run.stderr, stderr, name);
  }
});

test('cli verify --help: the usage line and every flag on stdout, exit 0', async () => {
  const run = await runs.help;
  assert.equal(run.code, 0);
  assert.equal(run.stderr, '');
  assert.match(run.stdout, /^usage: clearjwt verify <token \| -> --issuer <url> --audience <aud> /);
  for (const flag of ['--issuer', '--audience', '--jwks', '--jwks-uri', '--scope', '--typ', '--clock-tolerance', '--organization', '--now', '--json']) {
    assert.match(run.stdout, new RegExp(`^ {2}${flag} `, 'm'), flag);
  }
});

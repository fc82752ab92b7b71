// `clearjwt verify <token | -> --issuer … --audience …`: runs the real verifier, the one a
// service builds with createVerifier, and shows each stage of its path with its result. The
// token itself is never printed: only the stages, the error, its detail, and on success the
// verified claims.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  AuthError, createVerifier, extractBearerToken,
  type Claims, type Verifier, type VerifierOptions, type VerifyCallOptions,
} from '../index.js';
import { createOrganizationVerifier, type OrganizationAuth } from '../logto/index.js';
import { causeMessages, parsedOrUsage, parseNow, readTokenArgument, usageProblem } from './args.js';
import { columns, paintFor, showMembers, showValue, type Paint } from './format.js';
import { stageOf, stageResults, type StageName, type StageResult, type StageRun } from './stages.js';

export const VERIFY_USAGE = 'usage: clearjwt verify <token | -> --issuer <url> --audience <aud> '
  + '[--jwks <file> | --jwks-uri <url>] [--scope <scope>]... [--typ <typ>] [--clock-tolerance <seconds>] '
  + '[--organization <id>] [--now <seconds | ISO date>] [--json]';

export const VERIFY_HELP = `${VERIFY_USAGE}

Verifies a token with clearjwt's own verifier and shows each stage in order: bearer, jws,
header, key, signature, claims, scopes (and organization, with --organization), with its RFC.
The failing stage shows the error code, status, message and detail; the stages after it are
"not reached". The token is not printed.
  --issuer <url>          the exact iss; also where OIDC discovery starts (required)
  --audience <aud>        this API's identifier; repeat for several (required)
  --jwks <file>           a JWK Set file (offline); else --jwks-uri, else discovery
  --jwks-uri <url>        the JWK Set URL, skipping discovery
  --scope <scope>         a scope the route requires; repeat, or space-separate
  --typ <typ>             the expected header typ, e.g. at+jwt
  --clock-tolerance <s>   seconds of clock skew forgiven (default 5)
  --organization <id>     the route's Logto organization: runs clearjwt/logto's organization
                          verifier, with --audience as its apiAudience
  --now <t>               verify as at this time (seconds since 1970 or an ISO date)
  --json                  one JSON object: { outcome, exitCode, stages, claims?, organization? }
Exit: 0 valid, 1 refused, 2 usage, setup or network error (the keys could not be loaded).`;

interface Outcome {
  readonly claims?: Claims;
  /** With --organization, on success: which kind of Logto token, for which organization. */
  readonly organization?: Pick<OrganizationAuth, 'kind' | 'organizationId'>;
  readonly error?: AuthError;
}

/** How the token is checked: the core verifier, then the Logto leaf when a route's organization is given. */
type Check = (token: string) => Promise<Pick<Outcome, 'claims' | 'organization'>>;

const VERIFY_OPTIONS = {
  issuer: { type: 'string' }, audience: { type: 'string', multiple: true },
  jwks: { type: 'string' }, 'jwks-uri': { type: 'string' },
  scope: { type: 'string', multiple: true }, typ: { type: 'string' },
  'clock-tolerance': { type: 'string' }, organization: { type: 'string' },
  now: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const;

type VerifyFlags = ReturnType<typeof parseVerifyFlags>['values'];

function parseVerifyFlags(args: readonly string[]) {
  return parsedOrUsage(() => parseArgs({ args: [...args], options: VERIFY_OPTIONS, strict: true, allowPositionals: true }), VERIFY_USAGE);
}

export async function verifyCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseVerifyFlags(args);
  if (values.help === true) {
    process.stdout.write(`${VERIFY_HELP}\n`);
    return 0;
  }
  const nowMs = parseNow(values.now, VERIFY_USAGE);
  const options = verifierOptions(values, nowMs);
  const scopes = (values.scope ?? []).flatMap((scope) => scope.split(/\s+/)).filter((scope) => scope !== '');
  const token = await readTokenArgument(positionals, VERIFY_USAGE);

  let verifier: Verifier;
  try {
    verifier = createVerifier(options);
  } catch (error) {
    // createVerifier names the bad option in a TypeError: a setup mistake, not a refusal.
    if (error instanceof TypeError) throw usageProblem(error.message, VERIFY_USAGE);
    throw error;
  }
  const outcome = await runVerifier(checkFor(verifier, values, scopes), token);
  // The id is the caller's, not the token's: a bad --organization is a usage error (exit 2).
  if (outcome.error?.code === 'auth.organization_id_invalid') {
    throw usageProblem(`--organization ${showValue(values.organization)}: ${outcome.error.message} (${ORGANIZATION_ID_RULE})`, VERIFY_USAGE);
  }
  const exitCode = outcome.error === undefined ? 0 : outcome.error.status === 503 ? 2 : 1;
  const nowSeconds = (nowMs ?? Date.now()) / 1000;
  const run: StageRun = { organization: values.organization !== undefined, causeCode: reinterpretedCode(outcome.error) };
  if (values.json === true) process.stdout.write(`${JSON.stringify(jsonReport(outcome, run, exitCode), null, 2)}\n`);
  else process.stdout.write(textReport(outcome, run, options, scopes, values.organization, nowSeconds, paintFor(process.stdout, process.env)));
  return exitCode;
}

const ORGANIZATION_ID_RULE = 'letters, digits, _ and -, 1 to 128';

// Without --organization, the core verifier as createVerifier builds it; with it, the Logto
// leaf over that verifier, exactly as a service's organization route calls it.
function checkFor(verifier: Verifier, values: VerifyFlags, scopes: readonly string[]): Check {
  const organization = values.organization;
  if (organization === undefined) {
    const callOptions: VerifyCallOptions = { scopes };
    return async (token) => ({ claims: await verifier.token(token, callOptions) });
  }
  const verifyOrganization = createOrganizationVerifier(verifier, { apiAudience: values.audience ?? [] });
  return async (token) => {
    const auth = await verifyOrganization.token(token, { organization, scopes });
    return { claims: auth.claims, organization: { kind: auth.kind, organizationId: auth.organizationId } };
  };
}

// The Logto leaf refuses a token for another organization after the core refused its aud:
// the core's error is the cause, and its stage failed first.
function reinterpretedCode(error: AuthError | undefined): AuthError['code'] | undefined {
  return error?.cause instanceof AuthError ? error.cause.code : undefined;
}

// The flags as createVerifier's options: only those given, so every default is the library's.
function verifierOptions(values: VerifyFlags, nowMs: number | undefined): VerifierOptions {
  if (values.issuer === undefined || values.audience === undefined) throw usageProblem('--issuer and --audience are required', VERIFY_USAGE);
  if (values.jwks !== undefined && values['jwks-uri'] !== undefined) throw usageProblem('give --jwks or --jwks-uri, not both', VERIFY_USAGE);
  return {
    issuer: values.issuer,
    audience: values.audience,
    ...(values.jwks === undefined ? {} : { jwks: readJwksFile(values.jwks) }),
    ...(values['jwks-uri'] === undefined ? {} : { jwksUri: values['jwks-uri'] }),
    ...(values.typ === undefined ? {} : { typ: values.typ }),
    ...(values['clock-tolerance'] === undefined ? {} : { clockTolerance: seconds(values['clock-tolerance']) }),
    ...(nowMs === undefined ? {} : { now: () => nowMs }),
  };
}

// The bearer stage first, on the token as a service would receive it in its header (RFC 6750
// §2.1 b64token); then everything after it, by the verifier's raw-token entry point.
async function runVerifier(check: Check, token: string): Promise<Outcome> {
  try {
    extractBearerToken({ authorization: `Bearer ${token}` });
    return await check(token);
  } catch (error) {
    if (error instanceof AuthError) return { error };
    // The verifier's TypeError for a scope that is not an RFC 6749 scope-token.
    if (error instanceof TypeError) throw usageProblem(`--scope: ${error.message}`, VERIFY_USAGE);
    throw error;
  }
}

function readJwksFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw usageProblem(`--jwks ${path}: ${error instanceof Error ? error.message : String(error)}`, VERIFY_USAGE);
  }
}

function seconds(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed)) {
    throw usageProblem(`--clock-tolerance must be a number of seconds, not ${JSON.stringify(value)}`, VERIFY_USAGE);
  }
  return parsed;
}

// What the failing stage shows. `detail` is the server-side detail an AuthError may carry
// (issue 13); the cause chain only for 503s, where it says what went wrong on the network.
function errorReport(error: AuthError): Record<string, unknown> {
  const detail: unknown = (error as { detail?: unknown }).detail;
  return {
    code: error.code,
    status: error.status,
    error: error.error ?? null,
    message: error.message,
    ...(detail === undefined ? {} : { detail }),
    ...(error.status === 503 ? { cause: causeMessages(error) } : {}),
  };
}

/** The error a failed stage shows: the final one, or at the earlier stage of a reinterpreted refusal, its cause. */
function errorAt(outcome: Outcome, stage: StageName): AuthError | undefined {
  const error = outcome.error;
  return error !== undefined && stageOf(error.code) !== stage && error.cause instanceof AuthError ? error.cause : error;
}

function jsonReport(outcome: Outcome, run: StageRun, exitCode: number): Record<string, unknown> {
  const stages = stageResults(outcome.error?.code, run).map(({ name, rfc, result }) => {
    const error = result === 'fail' ? errorAt(outcome, name) : undefined;
    return { stage: name, rfc, result, ...(error === undefined ? {} : { error: errorReport(error) }) };
  });
  const verdict = outcome.error === undefined ? 'valid' : outcome.error.status === 503 ? 'unavailable' : 'refused';
  return {
    outcome: verdict, exitCode, stages,
    ...(outcome.claims === undefined ? {} : { claims: outcome.claims }),
    ...(outcome.organization === undefined ? {} : { organization: outcome.organization }),
  };
}

function textReport(
  outcome: Outcome, run: StageRun, options: VerifierOptions, scopes: readonly string[], organization: string | undefined, nowSeconds: number, paint: Paint,
): string {
  const keys = options.jwks !== undefined ? 'the --jwks file' : options.jwksUri ?? 'OIDC discovery from the issuer';
  const lines = [
    columns([
      ['issuer', options.issuer ?? ''],
      ['audience', [options.audience].flat().join(', ')],
      ['keys', keys],
      ['scopes', scopes.length === 0 ? '(none required)' : scopes.join(' ')],
      ...(organization === undefined ? [] : [['organization', `${organization} (clearjwt/logto)`]]),
      ['time', `${new Date(nowSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')}${options.now === undefined ? '' : ' (--now)'}`],
    ]),
    '',
  ];
  const stages = stageResults(outcome.error?.code, run);
  const colour: Record<StageResult, (text: string) => string> = { pass: paint.pass, fail: paint.fail, 'not reached': paint.dim, unknown: paint.dim };
  const table = columns(stages.map(({ name, result, rfc }) => [name, result === 'fail' ? 'FAIL' : result, rfc]), '  ',
    (row, column, cell) => (column === 1 ? colour[stages[row]!.result](cell) : cell)).split('\n');
  stages.forEach((stage, index) => {
    lines.push(table[index]!);
    // The error's lines sit under the result column: two spaces of indent, the widest name, two more.
    const indent = ' '.repeat(4 + Math.max(...stages.map(({ name }) => name.length)));
    const error = stage.result === 'fail' ? errorAt(outcome, stage.name) : undefined;
    if (error !== undefined) lines.push(errorLines(error, indent));
  });
  lines.push('', verdictLine(outcome, stages.some((stage) => stage.result === 'unknown'), paint));
  if (outcome.organization !== undefined) lines.push(`${outcome.organization.kind === 'organization' ? 'an organization token' : 'an organization-level API resource token'} for ${outcome.organization.organizationId}`);
  if (outcome.claims !== undefined) lines.push('', paint.bold('verified claims'), showMembers(outcome.claims, nowSeconds, '  '));
  return `${lines.join('\n')}\n`;
}

function errorLines(error: AuthError, indent: string): string {
  const { detail, cause, ...rest } = errorReport(error);
  const rows: string[][] = [
    ['code', String(rest['code'])],
    ['status', `${error.status}${error.error === undefined ? '' : ` ${error.error}`}`],
    ['message', error.message],
  ];
  if (typeof detail === 'object' && detail !== null) {
    for (const [name, value] of Object.entries(detail)) rows.push([`detail.${name}`, showValue(value)]);
  } else if (detail !== undefined) rows.push(['detail', showValue(detail)]);
  if (Array.isArray(cause)) cause.forEach((message) => rows.push(['cause', showValue(message).slice(1, -1)]));
  return columns(rows, indent);
}

function verdictLine(outcome: Outcome, unknownStage: boolean, paint: Paint): string {
  const error = outcome.error;
  if (error === undefined) return paint.pass('VALID: every stage passed.');
  if (error.status === 503) return paint.fail(`NOT DECIDED: ${error.code} (503): the keys could not be loaded; the token was not judged.`);
  const where = unknownStage ? ' (an unexpected failure: the verifier failed closed)' : '';
  return paint.fail(`REFUSED: ${error.code} (${error.status}${error.error === undefined ? '' : ` ${error.error}`})${where}`);
}

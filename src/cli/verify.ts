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
import { causeMessages, parsedOrUsage, parseNow, readTokenArgument, usageProblem } from './args.js';
import { columns, paintFor, showMembers, showValue, type Paint } from './format.js';
import { stageResults, type StageResult } from './stages.js';

export const VERIFY_USAGE = 'usage: clearjwt verify <token | -> --issuer <url> --audience <aud> '
  + '[--jwks <file> | --jwks-uri <url>] [--scope <scope>]... [--typ <typ>] [--clock-tolerance <seconds>] '
  + '[--organization <id>] [--now <seconds | ISO date>] [--json]';

export const VERIFY_HELP = `${VERIFY_USAGE}

Verifies a token with clearjwt's own verifier and shows each stage in order: bearer, jws,
header, key, signature, claims, scopes, with its RFC. The failing stage shows the error code,
status, message and detail; the stages after it are "not reached". The token is not printed.
  --issuer <url>          the exact iss; also where OIDC discovery starts (required)
  --audience <aud>        this API's identifier; repeat for several (required)
  --jwks <file>           a JWK Set file (offline); else --jwks-uri, else discovery
  --jwks-uri <url>        the JWK Set URL, skipping discovery
  --scope <scope>         a scope the route requires; repeat, or space-separate
  --typ <typ>             the expected header typ, e.g. at+jwt
  --clock-tolerance <s>   seconds of clock skew forgiven (default 5)
  --organization <id>     the organization the request is for (when the verifier supports it)
  --now <t>               verify as at this time (seconds since 1970 or an ISO date)
  --json                  one JSON object: { outcome, exitCode, stages, claims? }
Exit: 0 valid, 1 refused, 2 usage, setup or network error (the keys could not be loaded).`;

// Organization routes (issue 11) are not in this verifier yet. The type below turns `true`
// once the core's call options have `organization`, and then this line stops compiling:
// set it to `true` and add `organization: values.organization` to `callOptions` below.
type OrganizationOption = 'organization' extends keyof NonNullable<Parameters<Verifier['token']>[1]> ? true : false;
const ORGANIZATION_SUPPORTED: OrganizationOption = false;

interface Outcome {
  readonly claims?: Claims;
  readonly error?: AuthError;
}

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
  const callOptions: VerifyCallOptions = { scopes };
  const outcome = await runVerifier(verifier, token, callOptions);
  const exitCode = outcome.error === undefined ? 0 : outcome.error.status === 503 ? 2 : 1;
  const nowSeconds = (nowMs ?? Date.now()) / 1000;
  if (values.json === true) process.stdout.write(`${JSON.stringify(jsonReport(outcome, exitCode), null, 2)}\n`);
  else process.stdout.write(textReport(outcome, options, scopes, nowSeconds, paintFor(process.stdout, process.env)));
  return exitCode;
}

// The flags as createVerifier's options: only those given, so every default is the library's.
function verifierOptions(values: VerifyFlags, nowMs: number | undefined): VerifierOptions {
  if (values.issuer === undefined || values.audience === undefined) throw usageProblem('--issuer and --audience are required', VERIFY_USAGE);
  if (values.jwks !== undefined && values['jwks-uri'] !== undefined) throw usageProblem('give --jwks or --jwks-uri, not both', VERIFY_USAGE);
  if (values.organization !== undefined && !ORGANIZATION_SUPPORTED) {
    throw usageProblem('--organization: this verifier has no organization support yet (issue 11)', VERIFY_USAGE);
  }
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
async function runVerifier(verifier: Verifier, token: string, callOptions: VerifyCallOptions): Promise<Outcome> {
  try {
    extractBearerToken({ authorization: `Bearer ${token}` });
    return { claims: await verifier.token(token, callOptions) };
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

function jsonReport(outcome: Outcome, exitCode: number): Record<string, unknown> {
  const stages = stageResults(outcome.error?.code).map(({ name, rfc, result }) => ({
    stage: name, rfc, result, ...(result === 'fail' && outcome.error !== undefined ? { error: errorReport(outcome.error) } : {}),
  }));
  const verdict = outcome.error === undefined ? 'valid' : outcome.error.status === 503 ? 'unavailable' : 'refused';
  return { outcome: verdict, exitCode, stages, ...(outcome.claims === undefined ? {} : { claims: outcome.claims }) };
}

function textReport(outcome: Outcome, options: VerifierOptions, scopes: readonly string[], nowSeconds: number, paint: Paint): string {
  const keys = options.jwks !== undefined ? 'the --jwks file' : options.jwksUri ?? 'OIDC discovery from the issuer';
  const lines = [
    columns([
      ['issuer', options.issuer ?? ''],
      ['audience', [options.audience].flat().join(', ')],
      ['keys', keys],
      ['scopes', scopes.length === 0 ? '(none required)' : scopes.join(' ')],
      ['time', `${new Date(nowSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')}${options.now === undefined ? '' : ' (--now)'}`],
    ]),
    '',
  ];
  const stages = stageResults(outcome.error?.code);
  const colour: Record<StageResult, (text: string) => string> = { pass: paint.pass, fail: paint.fail, 'not reached': paint.dim, unknown: paint.dim };
  const table = columns(stages.map(({ name, result, rfc }) => [name, result === 'fail' ? 'FAIL' : result, rfc]), '  ',
    (row, column, cell) => (column === 1 ? colour[stages[row]!.result](cell) : cell)).split('\n');
  stages.forEach((stage, index) => {
    lines.push(table[index]!);
    // The error's lines sit under the result column: two spaces of indent, the widest name, two more.
    const indent = ' '.repeat(4 + Math.max(...stages.map(({ name }) => name.length)));
    if (stage.result === 'fail' && outcome.error !== undefined) lines.push(errorLines(outcome.error, indent));
  });
  lines.push('', verdictLine(outcome, stages.some((stage) => stage.result === 'unknown'), paint));
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

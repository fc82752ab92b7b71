// `clearjwt keys <issuer | jwks-uri>`: what an issuer publishes and what clearjwt makes of it.
// The keys are loaded through the library's own remote key source (the service's path:
// URL rules, discovery, issuer check, size and time limits), so a failure shows the code a
// service would log. The set is then fetched once more, raw, to show each JWK as published:
// its RFC 7638 thumbprint, its size, and for each key the verifier cannot use, why.

import { parseArgs } from 'node:util';
import {
  AuthError, computeJwkThumbprint, createRemoteKeySource, decodeBase64url, importJwkSet,
  type AuthErrorCode, type KeySet, type RemoteKeyEvent, type VerificationKey,
} from '../index.js';
import { causeMessages, parsedOrUsage, setupProblem, usageProblem } from './args.js';
import { columns, paintFor, printable } from './format.js';

export const KEYS_USAGE = 'usage: clearjwt keys <issuer | jwks-uri> [--json]';

export const KEYS_HELP = `${KEYS_USAGE}

Loads an issuer's signing keys as the verifier does (OIDC discovery, then the JWK Set) and
lists every key: kid, kty, curve or RSA size, the algorithms it may verify, its RFC 7638
SHA-256 thumbprint, and for a key the verifier skips, the code saying why.
A URL whose last path segment is jwks, certs, keys or ends in .json is taken as the JWK Set
URL; anything else as the issuer (…/.well-known/openid-configuration is accepted too).
  --json   one JSON object: { issuer?, jwksUri, keys: [...] }
Exit: 0 at least one usable key, 1 none usable, 2 usage, setup or network error.`;

const FETCH_TIMEOUT_MS = 5_000;
const MAX_DOCUMENT_BYTES = 512 * 1024; // the remote key source's default cap

export interface KeyReport {
  readonly index: number;
  readonly kid: string | null;
  readonly kty: string | null;
  readonly curve: string | null;
  readonly bits: number | null;
  readonly algorithms: readonly string[];
  readonly thumbprint: string | null;
  readonly usable: boolean;
  /** Why the verifier skips the key (importJwkSet's `skipped`). */
  readonly code?: AuthErrorCode;
}

const KEYS_OPTIONS = { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

export async function keysCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parsedOrUsage(
    () => parseArgs({ args: [...args], options: KEYS_OPTIONS, strict: true, allowPositionals: true }), KEYS_USAGE);
  if (values.help === true) {
    process.stdout.write(`${KEYS_HELP}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw usageProblem('one issuer or JWK Set URL is expected', KEYS_USAGE);
  const target = classify(positionals[0]!);

  const jwksUri = await loadThroughKeySource(target);
  let document: unknown;
  let keySet: KeySet;
  try {
    document = await fetchDocument(jwksUri);
    keySet = importJwkSet(document);
  } catch (error) {
    const reason = printable(error instanceof Error ? error.message : String(error));
    throw setupProblem(error instanceof AuthError ? `${error.code}: ${reason}` : reason);
  }
  const reports = describeKeys((document as { keys: unknown[] }).keys, keySet);
  const source = { ...(target.issuer === undefined ? {} : { issuer: target.issuer }), jwksUri };
  if (values.json === true) process.stdout.write(`${JSON.stringify({ ...source, keys: reports }, null, 2)}\n`);
  else process.stdout.write(textReport(source, reports));
  return keySet.keys.length > 0 ? 0 : 1;
}

// The service's path to the keys: URL rules, discovery, the issuer check, limits. Resolves
// to the JWK Set URL it used; a failure is the code a service would log, with its causes.
// One failure is not the end here: a set that was fetched but holds no usable key (its keys
// were reported skipped) is exactly what this command is for, so it is listed after a note.
async function loadThroughKeySource(target: { issuer?: string; jwksUri?: string }): Promise<string> {
  const events: RemoteKeyEvent[] = [];
  let keySource;
  try {
    keySource = createRemoteKeySource({ ...target, onEvent: (event) => { events.push(event); } });
  } catch (error) {
    if (error instanceof TypeError) throw usageProblem(error.message, KEYS_USAGE);
    throw error;
  }
  try {
    await keySource.ready();
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    const problem = `${error.code} (${error.status}): ${error.message}`;
    const skipped = events.find((event) => event.type === 'key_skipped');
    if (skipped?.type === 'key_skipped') {
      process.stderr.write(`clearjwt keys: the verifier refuses this set: ${problem}\n`);
      return skipped.url;
    }
    throw setupProblem(`${problem}${causeMessages(error).map((message) => `\n  cause: ${printable(message)}`).join('')}`);
  }
  const discovery = events.find((event) => event.type === 'discovery');
  const jwksUri = target.jwksUri ?? (discovery?.type === 'discovery' ? discovery.jwksUri : undefined);
  if (jwksUri === undefined) throw new Error('the key source loaded keys without a discovery event');
  return jwksUri;
}

// A JWK Set URL names itself in its last path segment at every major issuer (Logto …/jwks,
// Auth0 …/jwks.json, Google …/certs, Okta …/keys); an issuer identifier does not.
function classify(argument: string): { issuer?: string; jwksUri?: string } {
  if (!URL.canParse(argument)) throw usageProblem(`not a URL: ${JSON.stringify(argument)}`, KEYS_USAGE);
  const discoverySuffix = '/.well-known/openid-configuration';
  if (argument.endsWith(discoverySuffix)) return { issuer: argument.slice(0, -discoverySuffix.length) };
  const lastSegment = new URL(argument).pathname.split('/').pop() ?? '';
  return /^(jwks|certs|keys)$|\.json$/i.test(lastSegment) ? { jwksUri: argument } : { issuer: argument };
}

// The key source has already fetched this URL under the library's rules (it passed the URL
// policy); this second GET keeps the same limits: no redirects, a deadline, a size cap.
async function fetchDocument(url: string): Promise<unknown> {
  const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { accept: 'application/json' } });
  if (response.status < 200 || response.status > 299) throw new Error(`GET ${url}: HTTP ${response.status}`);
  const body = Buffer.from(await response.arrayBuffer());
  if (body.length > MAX_DOCUMENT_BYTES) throw new Error(`GET ${url}: larger than ${MAX_DOCUMENT_BYTES} bytes`);
  return JSON.parse(body.toString('utf8'));
}

// importJwkSet keeps the usable keys in the set's order and reports the others by index,
// so walking the published keys in order pairs each with its verdict.
export function describeKeys(published: readonly unknown[], keySet: KeySet): KeyReport[] {
  const skipped = new Map(keySet.skipped.map((entry) => [entry.index, entry.code]));
  const usable = keySet.keys[Symbol.iterator]();
  return published.map((entry, index) => {
    const jwk = typeof entry === 'object' && entry !== null && !Array.isArray(entry) ? entry as Record<string, unknown> : {};
    const code = skipped.get(index);
    const key: VerificationKey | undefined = code === undefined ? usable.next().value ?? undefined : undefined;
    return {
      index,
      kid: stringMember(jwk, 'kid'),
      kty: key?.kty ?? stringMember(jwk, 'kty'),
      curve: key?.curve ?? stringMember(jwk, 'crv'),
      bits: rsaBits(jwk),
      algorithms: key === undefined ? [] : [...key.algorithms],
      thumbprint: thumbprintOrNull(jwk),
      usable: key !== undefined,
      ...(code === undefined ? {} : { code }),
    };
  });
}

function stringMember(jwk: Record<string, unknown>, name: string): string | null {
  const value = Object.hasOwn(jwk, name) ? jwk[name] : undefined;
  return typeof value === 'string' ? value : null;
}

function rsaBits(jwk: Record<string, unknown>): number | null {
  const n = stringMember(jwk, 'n');
  if (stringMember(jwk, 'kty') !== 'RSA' || n === null) return null;
  try {
    const modulus = decodeBase64url(n);
    const first = modulus.findIndex((byte) => byte !== 0);
    return first === -1 ? 0 : (modulus.length - first - 1) * 8 + (32 - Math.clz32(modulus[first]!));
  } catch {
    return null;
  }
}

function thumbprintOrNull(jwk: Record<string, unknown>): string | null {
  try {
    return computeJwkThumbprint(jwk);
  } catch {
    return null;
  }
}

function textReport(source: { issuer?: string; jwksUri: string }, reports: readonly KeyReport[]): string {
  const paint = paintFor(process.stdout, process.env);
  const usableCount = reports.filter((report) => report.usable).length;
  const header = columns([
    ...(source.issuer === undefined ? [] : [['issuer', source.issuer]]),
    ['jwks_uri', source.jwksUri],
    ['keys', `${reports.length}: ${usableCount} usable, ${reports.length - usableCount} skipped`],
  ]);
  const rows = [['#', 'kid', 'kty', 'curve/size', 'algorithms', 'thumbprint (RFC 7638, SHA-256)', 'status']];
  for (const report of reports) {
    rows.push([
      String(report.index),
      report.kid === null ? '-' : printable(report.kid),
      report.kty === null ? '-' : printable(report.kty),
      report.bits !== null ? `${report.bits} bits` : report.curve === null ? '-' : printable(report.curve),
      report.algorithms.length === 0 ? '-' : report.algorithms.join(' '),
      report.thumbprint ?? '-',
      report.usable ? 'usable' : `skipped: ${report.code}`,
    ]);
  }
  const table = columns(rows, '  ', (row, column, cell) => {
    if (row === 0) return paint.bold(cell);
    return column === 6 ? (reports[row - 1]!.usable ? paint.pass(cell) : paint.fail(cell)) : cell;
  });
  return `${header}\n\n${table}\n`;
}

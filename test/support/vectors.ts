// Where the test vectors made outside clearjwt live, and what to do when they are missing.
//
// Fixtures come from scripts/gen-fixtures.sh (openssl only); CI regenerates them into a
// temporary folder and points CLEARJWT_FIXTURES at it. Wycheproof and the RFC examples are
// read in place from the shared vectors folder next to the repository.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const FIXTURES_DIR = resolve(process.env['CLEARJWT_FIXTURES'] ?? join(REPO_ROOT, 'fixtures'));
export const WYCHEPROOF_DIR = resolve(process.env['CLEARJWT_WYCHEPROOF_DIR'] ?? join(REPO_ROOT, '..', 'shared', 'vectors', 'wycheproof'));
export const RFC_VECTORS_FILE = resolve(process.env['CLEARJWT_RFC_VECTORS'] ?? join(REPO_ROOT, '..', 'shared', 'vectors', 'rfc', 'rfc-vectors.json'));

const IN_CI = process.env['CI'] === 'true';

/**
 * `undefined` when `path` exists. Otherwise, under CI=true, throws (a missing vector set is a
 * failure there); outside CI, returns a skip message for `test(name, { skip })`.
 */
export function missingVectors(path: string, what: string): string | undefined {
  if (existsSync(path)) return undefined;
  const message = `${what} not found at ${path}`;
  if (IN_CI) throw new Error(`${message} (CI=true: missing vectors are a failure, not a skip)`);
  return `${message}; skipped outside CI`;
}

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

// --- fixtures/manifest.json (written by scripts/gen-fixtures.sh) -------------------------

export interface ManifestKey {
  readonly alg: string;
  readonly kid: string;
  readonly privateKey: string;
  readonly spki: string;
  readonly jwks: string;
}

export interface ManifestCase {
  readonly name: string;
  readonly layer: string;
  readonly jwks: string;
  readonly token: string;
  /** "valid" or an AuthErrorCode. */
  readonly expect: string;
  readonly options?: Record<string, unknown>;
}

export interface Manifest {
  readonly keys: readonly ManifestKey[];
  readonly cases: readonly ManifestCase[];
}

export const MANIFEST_FILE = join(FIXTURES_DIR, 'manifest.json');

export function loadManifest(): Manifest {
  return readJson(MANIFEST_FILE) as Manifest;
}

export function fixturePath(relative: string): string {
  return join(FIXTURES_DIR, relative);
}

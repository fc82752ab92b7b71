// How `npm run token` signs with the running demo's key. The local issuer generates its key
// pair at start; `npm start` writes the private half here (a file only this user can read,
// removed at shutdown) and the token CLI reads it. The key is trusted by nothing but the
// demo on this machine, so a file is the simplest honest channel: no extra endpoint that
// hands out tokens to anyone who can reach a port.

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { JsonWebKey } from 'node:crypto';

export interface DevKeyFile {
  readonly issuer: string;
  readonly kid: string;
  readonly privateJwk: JsonWebKey;
  readonly audience: string;
  readonly apiUrl: string;
}

/** `.clearjwt-dev/local-issuer.json` in the working directory, or under CLEARJWT_DEV_DIR. */
export function devKeyPath(env: Readonly<Record<string, string | undefined>>): string {
  return join(resolve(env['CLEARJWT_DEV_DIR'] ?? '.clearjwt-dev'), 'local-issuer.json');
}

export function saveDevKey(path: string, devKey: DevKeyFile): void {
  mkdirSync(resolve(path, '..'), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${JSON.stringify(devKey, null, 2)}\n`, { mode: 0o600 });
}

/** Undefined when no demo has written one. */
export function loadDevKey(path: string): DevKeyFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  return JSON.parse(text) as DevKeyFile;
}

/** Removes the file if it still holds `kid` (another demo may have started since). */
export function removeDevKey(path: string, kid: string): void {
  try {
    if (loadDevKey(path)?.kid === kid) rmSync(path);
  } catch {
    // Best effort: a stale file is caught by the token CLI's liveness check.
  }
}

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { AUTH_ERROR_CODES, AuthError } from '../src/errors.js';
import { REPO_ROOT } from './support/vectors.js';

// The README's error table is the documentation users rely on: it must list every code,
// with the status and RFC 6750 error the code really has.
test('readme: the error table lists every code with its status and RFC 6750 error', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  for (const code of AUTH_ERROR_CODES) {
    const error = new AuthError(code);
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${code}\` |`));
    assert.ok(row, `README has no row for ${code}`);
    const [, , status, bearerError] = row.split('|').map((cell) => cell.trim());
    assert.equal(status, String(error.status), code);
    assert.equal(bearerError, error.error ?? '—', code);
  }
});

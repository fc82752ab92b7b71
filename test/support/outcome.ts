// How a verification ended, as one comparable string: 'valid', or the AuthError's code.
// Anything that is not an AuthError fails the test: every failure must carry a code.

import assert from 'node:assert/strict';
import { AuthError } from '../../src/errors.js';

export async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'valid';
  } catch (error) {
    assert.ok(error instanceof AuthError, `expected AuthError, got ${String(error)}`);
    return error.code;
  }
}

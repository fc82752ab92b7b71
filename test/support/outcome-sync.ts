// outcome() for synchronous code: 'valid', or the AuthError's code; anything else fails.

import assert from 'node:assert/strict';
import { AuthError } from '../../src/errors.js';

export function outcomeSync(run: () => unknown): string {
  try {
    run();
    return 'valid';
  } catch (error) {
    assert.ok(error instanceof AuthError, `expected AuthError, got ${String(error)}`);
    return error.code;
  }
}

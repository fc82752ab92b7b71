// How a verification ended, and the one way tests say what they expect of it: an AuthError
// with this exact code. Anything that is not an AuthError fails the test: every failure must
// carry a code.

import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { AuthError, type AuthErrorCode } from '../../src/errors.js';

/** 'valid', or the AuthError's code: one comparable string for table-driven tests. */
export async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'valid';
  } catch (error) {
    assert.ok(error instanceof AuthError, `expected AuthError, got ${String(error)}`);
    return error.code;
  }
}

/** The synchronous form of `outcome`. */
export function outcomeOf(run: () => unknown): string {
  try {
    run();
    return 'valid';
  } catch (error) {
    assert.ok(error instanceof AuthError, `expected AuthError, got ${String(error)}`);
    return error.code;
  }
}

function isAuthErrorWith(code: AuthErrorCode, label: string | undefined): (error: unknown) => true {
  return (error) => {
    assert.ok(error instanceof AuthError, `${label ?? ''}: expected AuthError ${code}, got ${String(error)}`);
    assert.equal(error.code, code, label);
    return true;
  };
}

/** The promise rejects with an AuthError of exactly this code. */
export async function expectCode(promise: Promise<unknown>, code: AuthErrorCode, label?: string): Promise<void> {
  await assert.rejects(promise, isAuthErrorWith(code, label), label);
}

/** `run` throws an AuthError of exactly this code. */
export function assertCode(run: () => unknown, code: AuthErrorCode, label?: string): void {
  assert.throws(run, isAuthErrorWith(code, label), label);
}

/**
 * For fixture loops: each row's actual against its expected value, every mismatch reported at
 * once (not only the first), as `name: expected → actual`.
 */
export function assertAllAsExpected(rows: ReadonlyArray<{ name: string; expected: unknown; actual: unknown }>): void {
  assert.ok(rows.length > 0, 'an empty table tests nothing');
  const mismatches = rows
    .filter((row) => !isDeepStrictEqual(row.expected, row.actual))
    .map((row) => `${row.name}: expected ${JSON.stringify(row.expected)} → got ${JSON.stringify(row.actual)}`);
  assert.deepEqual(mismatches, [], `${mismatches.length} of ${rows.length} rows differ`);
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { equalStrings } from '../src/dpop/equal-strings.js';

test('dpop equal strings: equal, different, different lengths, multi-byte', () => {
  const cases: Array<[string, string, boolean]> = [
    ['abc', 'abc', true], ['abc', 'abd', false], ['abc', 'abcd', false], ['', '', true], ['é', 'e', false], ['é', 'é', true],
  ];
  for (const [a, b, expected] of cases) assert.equal(equalStrings(a, b), expected, `${a} vs ${b}`);
});

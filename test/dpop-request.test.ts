import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkRequestShape, readDpopProof, requestUrl, type DpopRequest } from '../src/dpop/request.js';
import { outcomeOf } from './support/outcome.js';

const PROOF = 'aGVhZGVy.cGF5bG9hZA.c2ln';

test('dpop request: exactly one DPoP header, in every headers shape', () => {
  const cases: Array<[string, DpopRequest['headers'], string]> = [
    ['Node lower case', { dpop: PROOF }, PROOF],
    ['capitalised', { DPoP: PROOF }, PROOF],
    ['one-element array', { dpop: [PROOF] }, PROOF],
    ['fetch Headers', new Headers({ DPoP: PROOF }), PROOF],
    ['missing', { authorization: 'DPoP x' }, 'auth.dpop_proof_missing'],
    ['empty array', { dpop: [] }, 'auth.dpop_proof_missing'],
    ['two array entries', { dpop: [PROOF, PROOF] }, 'auth.dpop_proof_multiple'],
    ['two spellings of the name', { dpop: PROOF, DPOP: PROOF }, 'auth.dpop_proof_multiple'],
    ['joined by a comma', { dpop: `${PROOF}, ${PROOF}` }, 'auth.dpop_proof_multiple'],
    ['not a string', { dpop: 5 as unknown as string }, 'auth.dpop_proof_malformed'],
  ];
  for (const [name, headers, expected] of cases) {
    let value: string | undefined;
    const result = outcomeOf(() => { value = readDpopProof(headers); });
    assert.equal(result === 'valid' ? value : result, expected, name);
  }
});

test('dpop request: the URL is the configured origin plus the request path, whatever the target says', () => {
  const origin = 'https://api.example.com';
  const at = (url: string) => requestUrl({ method: 'GET', url, headers: {} }, origin);
  assert.equal(at('/a/b?c=d'), 'https://api.example.com/a/b?c=d');
  assert.equal(at('http://evil.example/a?x'), 'https://api.example.com/a?x', 'absolute-form keeps only its path');
  assert.equal(at('//evil.example/a'), 'https://api.example.com//evil.example/a', 'a path that looks like an authority stays a path');
  assert.equal(at('*'), undefined);
});

test('dpop request: a request that is not { method, url, headers } is a TypeError', () => {
  for (const request of [null, {}, { method: 'GET', url: '/' }, { method: 1, url: '/', headers: {} }]) {
    assert.throws(() => checkRequestShape(request as unknown as DpopRequest), TypeError);
  }
  checkRequestShape({ method: 'GET', url: '/', headers: {} });
});

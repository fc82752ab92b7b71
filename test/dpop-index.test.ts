// The leaf's public surface, and the rule that makes it a leaf: nothing outside src/dpop/
// (the demo aside, which is a user of the library) imports it.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import * as dpop from '../src/dpop/index.js';
import { REPO_ROOT } from './support/vectors.js';

test('dpop index: the public surface', () => {
  assert.deepEqual(Object.keys(dpop).sort(), ['DEFAULT_REPLAY_STORE_MAX', 'MAX_PROOF_LENGTH', 'createDpopVerifier', 'createMemoryReplayStore']);
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { exports: Record<string, { default?: string }> };
  assert.equal(manifest.exports['./dpop']?.default, './dist/dpop/index.js', 'import and require() both');
});

test('dpop index: the core never imports the DPoP leaf', () => {
  const src = join(REPO_ROOT, 'src');
  const offenders: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      const name = relative(src, path);
      if (entry.isDirectory()) { if (name !== 'dpop' && name !== 'demo') walk(path); continue; }
      if (/from '[^']*\/dpop\//.test(readFileSync(path, 'utf8'))) offenders.push(name);
    }
  };
  walk(src);
  assert.deepEqual(offenders, []);
});

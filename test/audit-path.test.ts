import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import {
  analyse, budgetProblems, createAuditProgram, MARKERS, renderMarkdown, run, type AuditConfig,
} from '../scripts/audit-path.js';

// A throwaway project shaped like ours in miniature: a factory returning `verify`, which calls
// `first` (src/a.ts), `second` (src/b.ts, 41 lines), a leaf (excluded), and a method of an
// interface whose two implementations are picked per path by the mapping. What only the leaf
// uses (`onlyForLeaf`, handed to it) and what nothing calls (src/unused.ts) stay off the list.
const secondBody = Array.from({ length: 37 }, (_, index) => `  total += input.length * ${index};`);
const files: Record<string, string> = {
  'package.json': '{ "type": "module" }\n',
  'src/verifier.ts': [
    "import { first, onlyForLeaf } from './a.js';",
    "import { second } from './b.js';",
    "import { leaf } from './leaf/c.js';",
    "import { makeRemote, makeSource, type Source } from './source.js';",
    '',
    'export function createVerifier(remote: boolean) {',
    '  const source: Source = remote ? makeRemote() : makeSource();',
    '  return function verify(input: string): number {',
    '    leaf(input, onlyForLeaf);',
    '    return first(input) + second(input) + source.read();',
    '  };',
    '}',
  ].join('\n'),
  'src/a.ts': [
    'export function first(input: string): number {', '  return input.length;', '}',
    'export function onlyForLeaf(): number {', '  return 3;', '}',
  ].join('\n'),
  'src/b.ts': ['export function second(input: string): number {', '  let total = 0;', ...secondBody, '  return total;', '}'].join('\n'),
  'src/leaf/c.ts': [
    "import { first } from '../a.js';",
    'export function leaf(input: string, callback: () => number): void {', '  first(input);', '  callback();', '}',
  ].join('\n'),
  'src/source.ts': [
    'export interface Source { read(): number }',
    'export function makeSource(): Source {',
    '  return { read: () => 1 };',
    '}',
    'export function makeRemote(): Source {',
    '  return { read: () => fetchCount() };',
    '}',
    'function fetchCount(): number {',
    '  return 2;',
    '}',
  ].join('\n'),
  'src/unused.ts': 'export function neverCalled(): number {\n  return 0;\n}',
};

const root = mkdtempSync(join(tmpdir(), 'clearjwt-audit-path-'));
after(() => rmSync(root, { recursive: true, force: true }));
for (const [name, text] of Object.entries(files)) {
  mkdirSync(dirname(join(root, name)), { recursive: true });
  writeFileSync(join(root, name), text);
}

const config: AuditConfig = {
  root,
  entry: { file: 'src/verifier.ts', factory: 'createVerifier' },
  exclude: ['src/leaf/'],
  implementations: { 'Source.read': [{ within: 'makeSource', name: 'read' }, { within: 'makeRemote', name: 'read' }] },
  paths: [
    { name: 'local', title: 'Local source', skip: ['makeRemote'] },
    { name: 'remote', title: 'Remote source: what it adds', skip: ['makeSource'] },
  ],
  budgets: { pathLines: { local: 50, remote: 10 }, functionLines: 40 },
};
const program = createAuditProgram(root); // the one ts.Program of this file
const analysis = analyse(config, program);

test('audit-path: the base path in reading order, with line ranges and totals', () => {
  const local = analysis.paths[0]!;
  assert.deepEqual(local.functions.map((fn) => `${fn.file}:${fn.start}-${fn.end} ${fn.name} ${fn.lines}`), [
    'src/verifier.ts:8-11 createVerifier.verify 4',
    'src/a.ts:1-3 first 3',
    'src/b.ts:1-41 second 41',
    'src/source.ts:3-3 makeSource.read 1',
    'src/verifier.ts:6-12 createVerifier 7',
    'src/source.ts:2-4 makeSource 3',
  ]);
  // Lines: verifier 6–12 once (verify is inside it), a 3, b 41, source 2–4.
  assert.deepEqual(local.totals, { functions: 6, lines: 54, files: 4, jumps: 5 });
});

test('audit-path: a later path lists only what it adds, with its own totals', () => {
  const remote = analysis.paths[1]!;
  assert.deepEqual(remote.functions.map((fn) => `${fn.file}:${fn.start}-${fn.end} ${fn.name}`), [
    'src/source.ts:6-6 makeRemote.read',
    'src/source.ts:8-10 fetchCount',
    'src/source.ts:5-7 makeRemote',
  ]);
  assert.deepEqual(remote.totals, { functions: 3, lines: 6, files: 1, jumps: 0 });
});

test('audit-path: functions over the limit are flagged, budgets report each excess', () => {
  const markdown = renderMarkdown(analysis, config.budgets);
  const flagged = markdown.split('\n').filter((line) => line.includes('**over 40 lines**'));
  assert.deepEqual(flagged, ['3. `src/b.ts:1–41`  `second`  (41 lines) **over 40 lines**']);
  assert.deepEqual(budgetProblems(analysis, config.budgets), [
    'local path: 54 lines of function code, budget 50',
    'local path: src/b.ts:1 second is 41 lines, budget 40',
  ]);
});

test('audit-path: a mapping or skip naming a function src/ no longer has is an error', () => {
  const renamed: AuditConfig = { ...config, implementations: { 'Source.read': [{ within: 'makeSourceRenamed', name: 'read' }] } };
  assert.throws(() => analyse(renamed, program), /IMPLEMENTATIONS\['Source.read'\] names makeSourceRenamed/);
  const skipRenamed: AuditConfig = { ...config, paths: [config.paths[0]!, { ...config.paths[1]!, skip: ['makeSourceRenamed'] }] };
  assert.throws(() => analyse(skipRenamed, program), /PATHS 'remote' skip names makeSourceRenamed/);
});

test('audit-path: --check finds a stale README copy; a rewrite makes it current', () => {
  const readmePath = join(root, 'README.md');
  const generated = renderMarkdown(analysis, config.budgets);
  const stale = generated.replace('src/a.ts:1–3', 'src/a.ts:1–4');
  assert.notEqual(stale, generated);
  writeFileSync(readmePath, `# x\n\n${MARKERS.start}\n${stale}${MARKERS.end}\n\nafter\n`);

  const staleCheck = run(['--check', '--no-budget'], config, analysis);
  assert.equal(staleCheck.exitCode, 1);
  assert.ok(staleCheck.output.includes('- 2. `src/a.ts:1–4`  `first`  (3 lines)'), staleCheck.output.join('\n'));
  assert.ok(staleCheck.output.includes('+ 2. `src/a.ts:1–3`  `first`  (3 lines)'), staleCheck.output.join('\n'));

  assert.equal(run([], config, analysis).exitCode, 0);
  assert.equal(readFileSync(readmePath, 'utf8'), `# x\n\n${MARKERS.start}\n${generated}${MARKERS.end}\n\nafter\n`);
  assert.equal(run(['--check', '--no-budget'], config, analysis).exitCode, 0);
  // The same current copy, with budgets enforced: second is 41 lines, the path 54 > 50.
  assert.equal(run(['--check'], config, analysis).exitCode, 1);
});

test('audit-path: ceilings are enforced even with --no-budget', () => {
  // The README copy is current (the test above rewrote it); only the ceilings decide here.
  const roomy = { pathLines: { local: 54, remote: 100 }, functionLines: 41 };
  assert.equal(run(['--check', '--no-budget'], { ...config, ceilings: roomy }, analysis).exitCode, 0);
  const tight = run(['--check', '--no-budget'], { ...config, ceilings: { ...roomy, pathLines: { local: 53, remote: 100 } } }, analysis);
  assert.equal(tight.exitCode, 1);
  assert.ok(tight.output.includes('  over the ceiling (always enforced): local path: 54 lines of function code, ceiling 53'), tight.output.join('\n'));
});

test('audit-path: blank and comment-only lines inside a function count in its length, not in the path totals', () => {
  const commented = mkdtempSync(join(tmpdir(), 'clearjwt-audit-path-comments-'));
  try {
    writeFileSync(join(commented, 'package.json'), '{ "type": "module" }\n');
    mkdirSync(join(commented, 'src'));
    writeFileSync(join(commented, 'src/verifier.ts'), [
      'export function createVerifier() {', //       1  code
      '  return function verify(input: string): number {', // 2  code
      '    const length = input.length;', //        3  code
      '', //                                        4  blank
      '    // a comment-only line', //               5  comment
      '    /* a block comment', //                   6  comment
      '     * on three lines', //                    7  comment
      '     */', //                                  8  comment
      '    return length; // a trailing comment', // 9  code
      '  };', //                                     10 code
      '}', //                                        11 code
    ].join('\n'));
    const only: AuditConfig = {
      root: commented, entry: { file: 'src/verifier.ts', factory: 'createVerifier' }, exclude: [], implementations: {},
      paths: [{ name: 'only', title: 'Only', skip: [] }], budgets: { pathLines: {}, functionLines: 40 },
    };
    const [path] = analyse(only, createAuditProgram(commented)).paths;
    assert.deepEqual(path!.functions.map((fn) => [fn.name, fn.start, fn.end, fn.lines, fn.codeLines]), [
      ['createVerifier.verify', 2, 10, 9, [2, 3, 9, 10]],
      ['createVerifier', 1, 11, 11, [1, 2, 3, 9, 10, 11]],
    ]);
    assert.deepEqual(path!.totals, { functions: 2, lines: 6, files: 1, jumps: 0 });
  } finally {
    rmSync(commented, { recursive: true, force: true });
  }
});

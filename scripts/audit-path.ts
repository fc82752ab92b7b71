// The audit guide, computed from the code (issue #9, item 7): the ordered list of functions a
// reviewer reads on the default verification path, with file, line range and totals, written
// into the README between the audit-path markers so the README's copy cannot drift.
//
//   npm run audit-path                         rewrite the README's copy
//   npm run audit-path -- --check              exit 1 if the copy is stale or a budget is exceeded
//   npm run audit-path -- --check --no-budget  staleness and CEILINGS only (budgets reported)
//   npm run audit-path -- --print              print the section, touch nothing
//
// How the path is found: start at the functions ENTRY's factory returns (`verify`, `ready`),
// then the factory itself (its setup runs once per verifier: options, static key import), and
// follow every reference to a function declared in src/, depth-first in source order. The
// TypeScript checker resolves imported names, re-exports, object-literal members and closures
// held in `const`s. Nested functions a body declares are listed when something refers to
// them; inline callbacks and object-literal members are read as part of their function.
// A function's lines run from its first token to its last (leading comments not counted);
// a path's "lines of function code" are the distinct lines its functions cover, so a
// closure inside a listed function is not counted twice.

import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

// ─── Configuration ──────────────────────────────────────────────────────────────────────

/** Where reading starts: this factory's returned functions, then the factory itself. */
export const ENTRY = { file: 'src/verifier.ts', factory: 'createVerifier' };

/**
 * Never listed nor followed (path prefixes from the project root): leaves that use the core's
 * public pieces, dev tooling, and opt-in wrappers a reviewer of the default path can skip.
 */
export const EXCLUDE = [
  'src/demo/', 'src/cli/', 'src/adapters/', 'src/dpop/', 'src/logto/', 'src/organizations/',
  'src/resource-metadata.ts', // RFC 9728 document: a leaf; the core only renders the URL it is given
  // Not src/token-cache.ts: the `cache` option is on by default, so the cache is on the path.
];

/**
 * Calls the checker cannot follow to a body, because they go through an interface member or a
 * function type: "member (or type alias) → the functions implementing it", each named by the
 * function it is declared in and its own name, wherever in src/ that lives. Each path keeps
 * the implementations that are not inside one of its `skip` functions.
 */
const keySourceMember = (name: string) => [
  { within: 'createStaticKeySource', name },
  { within: 'createRemoteKeySource', name },
];
export const IMPLEMENTATIONS: Readonly<Record<string, readonly Implementation[]>> = {
  'KeySource.resolveKey': keySourceMember('resolveKey'),
  'KeyResolver': keySourceMember('resolveKey'), // verifyCompactJws(token, keys): keys(header)
  'KeySource.ready': keySourceMember('ready'),
  'KeySource.isCurrent': keySourceMember('isCurrent'),
};

/**
 * The paths listed. The first is complete; each later one lists only what it adds to the
 * first. `skip`: functions (by name) the path neither lists nor enters.
 */
export const PATHS: readonly PathSpec[] = [
  // The remote option readers run only for an issuer without static `jwks`.
  { name: 'static', title: 'Static keys (`jwks` option)', skip: ['createRemoteKeySource', 'readRemoteKeyOptions', 'parseKeyUrl', 'discoveryUrl'] },
  // describeState only renders the cache's state for a health endpoint (verify.keyCache()):
  // it decides nothing about a token.
  { name: 'remote', title: 'Remote keys (discovery, JWKS fetch and cache): what they add', skip: ['createStaticKeySource', 'describeState'] },
];

/** Issue #9's "done when": lines of function code per path, and the longest function. */
export const BUDGETS: Budgets = { pathLines: { static: 500, remote: 220 }, functionLines: 40 };

/**
 * What `--check` enforces even with `--no-budget`, while the budgets above are not met: the
 * paths' size when #9's redesign and the features built on it landed (static 748, remote 262
 * lines), so the path cannot grow unnoticed. Lower these as the path shrinks; never raise
 * them without saying why in the commit.
 */
export const CEILINGS: Budgets = { pathLines: { static: 670, remote: 270 }, functionLines: 40 };

export const MARKERS = { start: '<!-- audit-path:start -->', end: '<!-- audit-path:end -->' };

// ─── Types ──────────────────────────────────────────────────────────────────────────────

export interface Implementation { readonly within: string; readonly name: string }
export interface PathSpec { readonly name: string; readonly title: string; readonly skip: readonly string[] }
export interface Budgets { readonly pathLines: Readonly<Record<string, number>>; readonly functionLines: number }

export interface AuditConfig {
  /** The project directory, holding src/ (and optionally tsconfig.json). */
  readonly root: string;
  readonly entry: { readonly file: string; readonly factory: string };
  readonly exclude: readonly string[];
  readonly implementations: Readonly<Record<string, readonly Implementation[]>>;
  readonly paths: readonly PathSpec[];
  readonly budgets: Budgets;
  /** Enforced even with --no-budget; none when absent. */
  readonly ceilings?: Budgets;
}

export interface ListedFunction {
  readonly file: string;
  readonly name: string;
  readonly start: number;
  readonly end: number;
  readonly lines: number;
  /** The lines in start–end that hold code: not blank, not only a comment. */
  readonly codeLines: readonly number[];
}

export interface PathTotals {
  readonly functions: number;
  readonly lines: number;
  readonly files: number;
  readonly jumps: number;
}

export interface PathReport {
  readonly name: string;
  readonly title: string;
  /** For the first path, everything; for later ones, only what they add to the first. */
  readonly functions: readonly ListedFunction[];
  readonly totals: PathTotals;
}

export interface Analysis {
  readonly paths: readonly PathReport[];
  /** Calls into src/ declarations that have no body and no IMPLEMENTATIONS entry. */
  readonly unresolved: readonly string[];
}

export const DEFAULT_CONFIG: AuditConfig = {
  root: resolve(dirname(fileURLToPath(import.meta.url)), '..'),
  entry: ENTRY, exclude: EXCLUDE, implementations: IMPLEMENTATIONS, paths: PATHS, budgets: BUDGETS, ceilings: CEILINGS,
};

// ─── The program ────────────────────────────────────────────────────────────────────────

type FunctionNode = ts.FunctionLikeDeclaration;

function listSourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = join(folder, entry.name);
    if (entry.isDirectory()) return listSourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

function compilerOptions(root: string): ts.CompilerOptions {
  const configPath = join(root, 'tsconfig.json');
  const fallback: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, types: [],
  };
  if (!ts.sys.fileExists(configPath)) return fallback;
  const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
  return { ...ts.parseJsonConfigFileContent(config, ts.sys, root).options, noEmit: true };
}

// ─── Naming and locating functions ──────────────────────────────────────────────────────

function isFunctionNode(node: ts.Node): node is FunctionNode {
  return ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isArrowFunction(node)
    || ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node)
    || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node);
}

// The function's own name: declared, or the const / property / class member holding it.
function ownName(node: FunctionNode): string | undefined {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (node.name !== undefined) return node.name.getText();
  const holder = node.parent;
  if ((ts.isVariableDeclaration(holder) || ts.isPropertyAssignment(holder) || ts.isPropertyDeclaration(holder)) && holder.initializer === node) {
    return holder.name.getText();
  }
  return undefined;
}

// Functions and classes enclosing `node`, outermost first: `createRemoteKeySource.load`.
function enclosingNames(node: ts.Node): string[] {
  const names: string[] = [];
  for (let current = node.parent; current !== undefined; current = current.parent) {
    if (isFunctionNode(current)) names.unshift(ownName(current) ?? '(anonymous)');
    else if (ts.isClassDeclaration(current) && current.name !== undefined) names.unshift(current.name.text);
  }
  return names;
}

function qualifiedName(node: FunctionNode): string {
  return [...enclosingNames(node), ownName(node) ?? '(anonymous)'].join('.');
}

// A unit of reading: named, and not an inline callback (those are read with their function).
function isListable(node: FunctionNode): boolean {
  return ownName(node) !== undefined;
}

// A nested function read on its own when referenced, not as part of the body declaring it.
function isSeparatelyRead(node: FunctionNode): boolean {
  return ts.isFunctionDeclaration(node) || (ts.isVariableDeclaration(node.parent) && node.parent.initializer === node);
}

function findFunctions(sourceFiles: readonly ts.SourceFile[], name: string, inside?: ts.Node): FunctionNode[] {
  const found: FunctionNode[] = [];
  const visit = (node: ts.Node): void => {
    if (isFunctionNode(node) && ownName(node) === name) found.push(node);
    ts.forEachChild(node, visit);
  };
  if (inside !== undefined) ts.forEachChild(inside, visit);
  else sourceFiles.forEach(visit);
  return found;
}

// ─── Following references ───────────────────────────────────────────────────────────────

interface Walker {
  readonly checker: ts.TypeChecker;
  readonly config: AuditConfig;
  readonly sourceFiles: readonly ts.SourceFile[];
  readonly unresolved: Set<string>;
}

function relativePath(config: AuditConfig, fileName: string): string {
  return relative(config.root, fileName).split(sep).join('/');
}

function isInScope(walker: Walker, node: ts.Node): boolean {
  const fileName = node.getSourceFile().fileName;
  const file = relativePath(walker.config, fileName);
  if (fileName.endsWith('.d.ts') || file.startsWith('..') || !file.startsWith('src/') || file.includes('node_modules/')) return false;
  return !walker.config.exclude.some((prefix) => file === prefix || file.startsWith(prefix));
}

function resolvedSymbol(checker: ts.TypeChecker, node: ts.Node): ts.Symbol | undefined {
  const symbol = ts.isShorthandPropertyAssignment(node.parent) && node.parent.name === node
    ? checker.getShorthandAssignmentValueSymbol(node.parent)
    : checker.getSymbolAtLocation(node);
  if (symbol === undefined) return undefined;
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

// The functions a value expression may be: itself, a name holding one, either branch of a
// conditional, or what a factory call returns (the factory is what gets read).
function functionsOfValue(walker: Walker, expression: ts.Expression, depth = 0): FunctionNode[] {
  if (depth > 8) return [];
  if (isFunctionNode(expression)) return [expression];
  if (ts.isParenthesizedExpression(expression) || ts.isAsExpression(expression) || ts.isNonNullExpression(expression)) {
    return functionsOfValue(walker, expression.expression, depth + 1);
  }
  if (ts.isConditionalExpression(expression)) {
    return [...functionsOfValue(walker, expression.whenTrue, depth + 1), ...functionsOfValue(walker, expression.whenFalse, depth + 1)];
  }
  if (ts.isCallExpression(expression)) return functionsOfName(walker, expression.expression, depth + 1);
  if (ts.isIdentifier(expression) || ts.isPropertyAccessExpression(expression)) return functionsOfName(walker, expression, depth + 1);
  return [];
}

function functionsOfName(walker: Walker, expression: ts.Expression, depth: number): FunctionNode[] {
  const nameNode = ts.isPropertyAccessExpression(expression) ? expression.name : expression;
  const symbol = resolvedSymbol(walker.checker, nameNode);
  const found: FunctionNode[] = [];
  for (const declaration of symbol?.declarations ?? []) {
    if (isFunctionNode(declaration)) found.push(declaration);
    else if (ts.isClassDeclaration(declaration)) found.push(...declaration.members.filter(ts.isConstructorDeclaration));
    else if (ts.isVariableDeclaration(declaration) && declaration.initializer !== undefined) {
      found.push(...functionsOfValue(walker, declaration.initializer, depth));
    } else if (ts.isPropertyAssignment(declaration) && isFunctionNode(declaration.initializer)) found.push(declaration.initializer);
  }
  return found.length > 0 ? found : implementationsOf(walker, expression, symbol);
}

// IMPLEMENTATIONS keys: `Interface.member` for a member signature, else the callee type's alias.
function implementationKeys(walker: Walker, expression: ts.Expression, symbol: ts.Symbol | undefined): string[] {
  const keys: string[] = [];
  for (const declaration of symbol?.declarations ?? []) {
    const owner = declaration.parent;
    if ((ts.isPropertySignature(declaration) || ts.isMethodSignature(declaration)) && ts.isInterfaceDeclaration(owner)) {
      keys.push(`${owner.name.text}.${declaration.name.getText()}`);
    }
  }
  const type = walker.checker.getTypeAtLocation(expression);
  for (const part of type.isUnion() ? type.types : [type]) {
    if (part.aliasSymbol !== undefined) keys.push(part.aliasSymbol.name);
  }
  return keys;
}

function implementationsOf(walker: Walker, expression: ts.Expression, symbol: ts.Symbol | undefined): FunctionNode[] {
  const keys = implementationKeys(walker, expression, symbol);
  const key = keys.find((candidate) => walker.config.implementations[candidate] !== undefined);
  if (key === undefined) {
    const declaredInScope = (symbol?.declarations ?? []).some((declaration) => isInScope(walker, declaration));
    if (declaredInScope && ts.isCallExpression(expression.parent) && expression.parent.expression === expression) {
      walker.unresolved.add(`${location(walker, expression)} ${expression.getText()}() [${keys.join(', ') || 'no key'}]`);
    }
    return [];
  }
  return walker.config.implementations[key]!.map((implementation) => locateImplementation(walker, key, implementation));
}

function locateImplementation(walker: Walker, key: string, implementation: Implementation): FunctionNode {
  for (const outer of findFunctions(walker.sourceFiles, implementation.within)) {
    const inner = findFunctions(walker.sourceFiles, implementation.name, outer)[0];
    if (inner !== undefined) return inner;
  }
  throw new Error(`audit-path: IMPLEMENTATIONS['${key}'] names ${implementation.within} › ${implementation.name}, which src/ no longer has; update the mapping`);
}

function location(walker: Walker, node: ts.Node): string {
  const sourceFile = node.getSourceFile();
  const line = sourceFile.getLineAndCharacterOfPosition(node.getStart()).line + 1;
  return `${relativePath(walker.config, sourceFile.fileName)}:${line}`;
}

// True when every function the call may reach is out of scope: code handed only to a leaf
// (its arguments) is the leaf's business, not the default path's.
function callsOnlyOutOfScope(walker: Walker, call: ts.CallExpression): boolean {
  const targets = functionsOfName(walker, call.expression, 0);
  return targets.length > 0 && targets.every((target) => !isInScope(walker, target));
}

// Functions `body` refers to, in source order. Nested functions that are read on their own
// are not entered (they are reached when referred to); inline callbacks are.
function referencedFunctions(walker: Walker, body: ts.Node): FunctionNode[] {
  const found: FunctionNode[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isTypeNode(node) || ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) return;
    if (isFunctionNode(node) && isSeparatelyRead(node)) return;
    if (ts.isCallExpression(node) && callsOnlyOutOfScope(walker, node)) return;
    if (ts.isNewExpression(node) || (ts.isCallExpression(node) && node.expression.kind !== ts.SyntaxKind.SuperKeyword)) {
      found.push(...functionsOfName(walker, node.expression, 0));
    } else if (isReference(node) && isCallable(walker, node)) {
      found.push(...functionsOfName(walker, node, 0).filter((target) => !ts.isConstructorDeclaration(target)));
    } else if (isReference(node)) {
      found.push(...functionsOfTable(walker, node));
    }
    ts.forEachChild(node, visit);
  };
  visit(body); // the body itself: `() => selectKey(…)` is a call
  return found;
}

// A table of functions (`const READERS = { name: reader, … }`, src/options.ts): using it reads
// every function it holds or calls, in the table's order. Each table is entered once per walk.
const tablesEntered = new WeakSet<ts.Node>();
function functionsOfTable(walker: Walker, node: ts.Identifier): FunctionNode[] {
  const declaration = resolvedSymbol(walker.checker, node)?.declarations?.[0];
  if (declaration === undefined || !ts.isVariableDeclaration(declaration) || declaration.initializer === undefined) return [];
  let table: ts.Expression = declaration.initializer;
  while (ts.isSatisfiesExpression(table) || ts.isAsExpression(table)) table = table.expression;
  if (!ts.isObjectLiteralExpression(table) || !isInScope(walker, table) || tablesEntered.has(table)) return [];
  tablesEntered.add(table);
  return referencedFunctions(walker, table);
}

// Only a function value is a function handed on; `keySet = importJwkSet(…)` is data.
function isCallable(walker: Walker, node: ts.Identifier): boolean {
  return walker.checker.getTypeAtLocation(node).getCallSignatures().length > 0;
}

// A name used as a value (not a declaration's own name, not the callee handled above).
function isReference(node: ts.Node): node is ts.Identifier {
  if (!ts.isIdentifier(node)) return false;
  const parent = node.parent;
  if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.expression === node) return false;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node
    && (ts.isCallExpression(parent.parent) || ts.isNewExpression(parent.parent)) && parent.parent.expression === parent) return false;
  if (ts.isPropertyAccessExpression(parent) && parent.expression === node) return false; // `x.y`: y decides
  const declarationName = (ts.isVariableDeclaration(parent) || ts.isFunctionDeclaration(parent) || ts.isParameter(parent)
    || ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent) || ts.isBindingElement(parent)
    || ts.isImportSpecifier(parent) || ts.isPropertyDeclaration(parent)) && parent.name === node;
  return !declarationName || ts.isShorthandPropertyAssignment(parent);
}

// ─── One path ───────────────────────────────────────────────────────────────────────────

function isSkipped(node: FunctionNode, path: PathSpec): boolean {
  return [...enclosingNames(node), ownName(node)].some((name) => name !== undefined && path.skip.includes(name));
}

// A line that is blank or holds only a comment (`//`, or a line of a `/* … */` block) is
// read, but it is not code: the path totals count code lines, function lengths count all.
const COMMENT_OR_BLANK = /^\s*(\/\/.*|\/?\*.*|\*\/)?\s*$/;

function describe(node: FunctionNode, config: AuditConfig): ListedFunction {
  const sourceFile = node.getSourceFile();
  const start = sourceFile.getLineAndCharacterOfPosition(node.getStart()).line + 1;
  const end = sourceFile.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
  const text = sourceFile.text.split('\n');
  const codeLines: number[] = [];
  for (let line = start; line <= end; line++) if (!COMMENT_OR_BLANK.test(text[line - 1] ?? '')) codeLines.push(line);
  return { file: relativePath(config, sourceFile.fileName), name: qualifiedName(node), start, end, lines: end - start + 1, codeLines };
}

function walkPath(walker: Walker, roots: readonly FunctionNode[], path: PathSpec): FunctionNode[] {
  const seen = new Set<FunctionNode>();
  const order: FunctionNode[] = [];
  const visit = (node: FunctionNode): void => {
    if (seen.has(node) || !isInScope(walker, node) || isSkipped(node, path)) return;
    seen.add(node);
    if (isListable(node)) order.push(node);
    if (node.body !== undefined) referencedFunctions(walker, node.body).forEach(visit);
  };
  roots.forEach(visit);
  return order;
}

function entryRoots(walker: Walker): FunctionNode[] {
  const { file, factory } = walker.config.entry;
  const entryFile = resolve(walker.config.root, file);
  const candidates = findFunctions(walker.sourceFiles, factory).filter((node) => enclosingNames(node).length === 0);
  const factoryNode = candidates.find((node) => resolve(node.getSourceFile().fileName) === entryFile) ?? candidates[0];
  if (factoryNode?.body === undefined) throw new Error(`audit-path: no function ${factory} in src/ (ENTRY)`);
  return [...returnedFunctions(walker, factoryNode), factoryNode];
}

// The functions a factory hands back: named in its `return` expressions, or inline there
// (an anonymous one is not listed, but what it calls is read first).
function returnedFunctions(walker: Walker, factory: FunctionNode): FunctionNode[] {
  const found: FunctionNode[] = [];
  const visit = (node: ts.Node): void => {
    if (isFunctionNode(node)) {
      found.push(node);
      return;
    }
    if (ts.isIdentifier(node) && isCallable(walker, node)) found.push(...functionsOfName(walker, node, 0));
    ts.forEachChild(node, visit);
  };
  const visitReturns = (node: ts.Node): void => {
    if (ts.isReturnStatement(node) && node.expression !== undefined) visit(node.expression);
    else if (!isFunctionNode(node)) ts.forEachChild(node, visitReturns);
  };
  ts.forEachChild(factory.body!, visitReturns);
  return found;
}

// ─── Totals ─────────────────────────────────────────────────────────────────────────────

function coveredLines(functions: readonly ListedFunction[]): Set<string> {
  const lines = new Set<string>();
  for (const fn of functions) for (const line of fn.codeLines) lines.add(`${fn.file}:${line}`);
  return lines;
}

function totals(functions: readonly ListedFunction[], alreadyRead: ReadonlySet<string>): PathTotals {
  const lines = [...coveredLines(functions)].filter((line) => !alreadyRead.has(line)).length;
  const jumps = functions.filter((fn, index) => index > 0 && functions[index - 1]!.file !== fn.file).length;
  return { functions: functions.length, lines, files: new Set(functions.map((fn) => fn.file)).size, jumps };
}

// ─── Analysis ───────────────────────────────────────────────────────────────────────────

/** Every .ts file under `root`/src, with `root`'s compiler options: the one slow step. */
export function createAuditProgram(root: string): ts.Program {
  return ts.createProgram(listSourceFiles(join(root, 'src')), compilerOptions(root));
}

/** The paths of `config`; `program` can be shared by several configs of one root. */
export function analyse(config: AuditConfig = DEFAULT_CONFIG, program = createAuditProgram(config.root)): Analysis {
  const sourceFiles = program.getSourceFiles().filter((file) => !file.isDeclarationFile && !program.isSourceFileFromExternalLibrary(file));
  const walker: Walker = { checker: program.getTypeChecker(), config, sourceFiles, unresolved: new Set() };
  checkNamesExist(walker);
  const roots = entryRoots(walker);
  const [base, ...others] = config.paths.map((path) => walkPath(walker, roots, path).map((node) => describe(node, config)));
  const baseLines = coveredLines(base!);
  const reports = config.paths.map((path, index): PathReport => {
    const listed = index === 0 ? base! : others[index - 1]!.filter((fn) => !base!.some((read) => sameFunction(read, fn)));
    return { name: path.name, title: path.title, functions: listed, totals: totals(listed, index === 0 ? new Set() : baseLines) };
  });
  return { paths: reports, unresolved: [...walker.unresolved] };
}

// A renamed function must not silently change what a path skips or how a call resolves.
function checkNamesExist(walker: Walker): void {
  const named = [
    ...walker.config.paths.flatMap((path) => path.skip.map((name) => ({ name, where: `PATHS '${path.name}' skip` }))),
    ...Object.entries(walker.config.implementations).flatMap(([key, list]) => list.map(({ within }) => ({ name: within, where: `IMPLEMENTATIONS['${key}']` }))),
  ];
  for (const { name, where } of named) {
    if (findFunctions(walker.sourceFiles, name).length === 0) throw new Error(`audit-path: ${where} names ${name}, which src/ no longer has; update it`);
  }
}

function sameFunction(a: ListedFunction, b: ListedFunction): boolean {
  return a.file === b.file && a.start === b.start && a.name === b.name;
}

// ─── Markdown ───────────────────────────────────────────────────────────────────────────

function entryLine(fn: ListedFunction, index: number, limit: number): string {
  const flag = fn.lines > limit ? ` **over ${limit} lines**` : '';
  return `${index + 1}. \`${fn.file}:${fn.start}–${fn.end}\`  \`${fn.name}\`  (${fn.lines} ${fn.lines === 1 ? 'line' : 'lines'})${flag}`;
}

function totalsLine(report: PathReport, isBase: boolean): string {
  const { functions, lines, files, jumps } = report.totals;
  const added = isBase ? '' : 'adds ';
  return `${added}${functions} functions, ${lines} lines of function code, ${files} files, ${jumps} jumps between files.`;
}

/** The generated part of the README, without the markers. */
export function renderMarkdown(analysis: Analysis, budgets: Budgets): string {
  const sections = analysis.paths.map((report, index) => {
    const long = report.functions.filter((fn) => fn.lines > budgets.functionLines);
    const flagged = long.length === 0 ? `None over ${budgets.functionLines} lines.`
      : `Over ${budgets.functionLines} lines: ${long.map((fn) => `\`${fn.name}\` (${fn.lines})`).join(', ')}.`;
    return [
      `### ${report.title}`, '',
      ...report.functions.map((fn, position) => entryLine(fn, position, budgets.functionLines)), '',
      `**${report.name}:** ${totalsLine(report, index === 0)} ${flagged}`,
    ].join('\n');
  });
  return ['<!-- Generated by `npm run audit-path` from src/: edit the code, not this list. -->', '', ...sections.flatMap((section) => [section, ''])].join('\n');
}

// ─── The README copy and the budgets ────────────────────────────────────────────────────

function markerPositions(readme: string): { start: number; end: number } | undefined {
  const start = readme.indexOf(MARKERS.start);
  const end = readme.indexOf(MARKERS.end);
  return start === -1 || end < start ? undefined : { start: start + MARKERS.start.length, end };
}

/** The README with `generated` between the markers; throws when the markers are missing. */
export function updateReadme(readme: string, generated: string): string {
  const at = markerPositions(readme);
  if (at === undefined) throw new Error(`audit-path: README has no ${MARKERS.start} … ${MARKERS.end} pair`);
  return `${readme.slice(0, at.start)}\n${generated}${readme.slice(at.end)}`;
}

/** Problems with the README's copy: none when it matches `generated` exactly. */
export function staleness(readme: string, generated: string): string[] {
  if (markerPositions(readme) === undefined) return [`README has no ${MARKERS.start} … ${MARKERS.end} pair`];
  const expected = updateReadme(readme, generated);
  if (expected === readme) return [];
  return ['README audit guide is stale; run `npm run audit-path` and commit README.md:', ...lineDiff(readme, expected)];
}

// Lines only in the README (-) and only in the generated copy (+), at most 40 of them.
function lineDiff(actual: string, expected: string): string[] {
  const actualLines = actual.split('\n');
  const expectedLines = expected.split('\n');
  const removed = actualLines.filter((line) => !expectedLines.includes(line)).map((line) => `- ${line}`);
  const added = expectedLines.filter((line) => !actualLines.includes(line)).map((line) => `+ ${line}`);
  const lines = [...removed, ...added];
  return lines.length > 40 ? [...lines.slice(0, 40), `  … ${lines.length - 40} more`] : lines;
}

/** Issue #9's budgets, each exceeded one as a sentence. */
export function budgetProblems(analysis: Analysis, budgets: Budgets): string[] {
  const problems: string[] = [];
  for (const report of analysis.paths) {
    const limit = budgets.pathLines[report.name];
    if (limit !== undefined && report.totals.lines > limit) {
      problems.push(`${report.name} path: ${report.totals.lines} lines of function code, budget ${limit}`);
    }
    for (const fn of report.functions.filter((listed) => listed.lines > budgets.functionLines)) {
      problems.push(`${report.name} path: ${fn.file}:${fn.start} ${fn.name} is ${fn.lines} lines, budget ${budgets.functionLines}`);
    }
  }
  return problems;
}

// ─── Command line ───────────────────────────────────────────────────────────────────────

export interface RunResult { readonly exitCode: number; readonly output: string[] }

const FLAGS = ['--check', '--no-budget', '--print', '--verbose'];

/** The command: `args` as after `npm run audit-path --`; tests pass their own analysis. */
export function run(args: readonly string[], config: AuditConfig = DEFAULT_CONFIG, analysis?: Analysis): RunResult {
  const unknown = args.filter((arg) => !FLAGS.includes(arg));
  if (unknown.length > 0) return { exitCode: 2, output: [`audit-path: unknown argument ${unknown.join(' ')} (known: ${FLAGS.join(' ')})`] };
  const analysed = analysis ?? analyse(config);
  const generated = renderMarkdown(analysed, config.budgets);
  if (args.includes('--print')) return { exitCode: 0, output: [generated] };
  const notes = args.includes('--verbose') ? analysed.unresolved.map((call) => `not followed: ${call}`) : [];
  const result = args.includes('--check')
    ? check(config, analysed, generated, !args.includes('--no-budget'))
    : writeReadme(config, generated);
  return { exitCode: result.exitCode, output: [...notes, ...result.output, ...summary(analysed)] };
}

function writeReadme(config: AuditConfig, generated: string): RunResult {
  const readmePath = join(config.root, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const updated = updateReadme(readme, generated);
  if (updated === readme) return { exitCode: 0, output: ['README audit guide already current'] };
  writeFileSync(readmePath, updated);
  return { exitCode: 0, output: ['README audit guide updated'] };
}

// Staleness and budgets are reported apart: CI enforces the first now, the second once the
// #9 redesign has landed (until then `--no-budget`).
function check(config: AuditConfig, analysis: Analysis, generated: string, enforceBudgets: boolean): RunResult {
  const stale = staleness(readFileSync(join(config.root, 'README.md'), 'utf8'), generated);
  const overBudget = budgetProblems(analysis, config.budgets);
  const budgetReport = overBudget.length === 0 ? ['budgets: met'] : [
    `budgets exceeded${enforceBudgets ? '' : ' (not enforced: --no-budget)'}:`, ...overBudget.map((problem) => `  ${problem}`),
  ];
  const overCeiling = config.ceilings === undefined ? [] : budgetProblems(analysis, config.ceilings);
  const ceilingReport = overCeiling.map((problem) => `  over the ceiling (always enforced): ${problem.replace('budget', 'ceiling')}`);
  const failed = stale.length > 0 || overCeiling.length > 0 || (enforceBudgets && overBudget.length > 0);
  return { exitCode: failed ? 1 : 0, output: [...(stale.length > 0 ? stale : ['README audit guide is current']), ...budgetReport, ...ceilingReport] };
}

function summary(analysis: Analysis): string[] {
  return analysis.paths.map((report, index) => `${report.name}: ${totalsLine(report, index === 0)}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const result = run(process.argv.slice(2));
  for (const line of result.output) (result.exitCode === 0 ? console.log : console.error)(line);
  process.exitCode = result.exitCode;
}

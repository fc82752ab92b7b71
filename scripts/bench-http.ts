// `npm run bench:http`: what protecting a route costs in requests per second.
//
// The app (scripts/bench-http-server.ts) runs in a child process on 127.0.0.1, port 0; this
// process is the load generator: N keep-alive connections (one http.Agent), each sending its
// next request as soon as the last answer ends, for a fixed time. Every run is bounded in
// time and in count, and the child is stopped by its PID at the end.
//
//   open                 the unprotected route, run before and after every pair of
//                        protected runs; a protected run's ratio is its requests/s over
//                        the mean of the two open runs around it, so drift in the machine's
//                        other load cancels out
//   <alg>, reused token  each connection is one client that sends its own token every time
//                        (real clients keep an access token for its lifetime)
//   <alg>, fresh tokens  a token never seen before on every request: a pool signed with
//                        node:crypto before any timing, so signing is not measured; the run
//                        also ends when the pool is used up
//
// for ES384, RS256 and EdDSA, with the verified-token cache on and off. Reports requests/s,
// p50/p99 latency, the ratio to open, and the server's CPU per request; adds them under the
// `http` key of bench-results.json (gitignored), keeping what `npm run bench` wrote there.
//
//   --duration <s>     seconds per run (default 3)     --connections <n>   default 50
//   --quick            about 10 s in all               --only <text>       runs whose label has it
//   --cpu-prof         profile the server child (node --cpu-prof) into a temporary folder

import { fork, type ChildProcess } from 'node:child_process';
import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { getAlgorithm, type JwsAlgorithm } from '../src/algorithms.js';
import { AUDIENCE, CACHE, ISSUER, type Route, type ServerUsage } from './bench-http-server.js';

const ROOT = new URL('../', import.meta.url);
const ALGORITHMS = ['ES384', 'RS256', 'EdDSA'] as const satisfies readonly JwsAlgorithm[];
type BenchAlgorithm = (typeof ALGORITHMS)[number];

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string' }, connections: { type: 'string' }, quick: { type: 'boolean' },
    only: { type: 'string' }, 'cpu-prof': { type: 'boolean' },
  },
  strict: true, // a misspelt flag is refused, never ignored
});
const QUICK = flags.quick === true;
const DURATION_MS = positiveNumber(flags.duration, '--duration', QUICK ? 0.4 : 3) * 1000;
const CONNECTIONS = positiveNumber(flags.connections, '--connections', 50);
if (!Number.isSafeInteger(CONNECTIONS) || CONNECTIONS > 1000) throw new TypeError('--connections must be an integer from 1 to 1000');
const WARMUP_MS = Math.min(400, DURATION_MS / 4);
/** Fresh tokens signed per algorithm; the fresh runs stop when they are used up. */
const FRESH_POOL: Record<BenchAlgorithm, number> = QUICK
  ? { ES384: 300, RS256: 1_000, EdDSA: 1_000 }
  : { ES384: 3_000, RS256: 10_000, EdDSA: 10_000 };
const REQUEST_TIMEOUT_MS = 10_000;
/** No run sends more, whatever its duration: a bound in count beside the bound in time. */
const MAX_REQUESTS_PER_RUN = 2_000_000;

function positiveNumber(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`${name} must be a positive number`);
  return value;
}

// --- tokens, signed with node:crypto over the openssl-made fixture keys -----------------------

const jwks = JSON.parse(readFileSync(new URL('fixtures/jwks.json', ROOT), 'utf8')) as { keys: Array<Record<string, unknown>> };
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

interface Signer { readonly alg: BenchAlgorithm; readonly key: KeyObject; readonly kid: string }

function signer(alg: BenchAlgorithm): Signer {
  const key = createPrivateKey(readFileSync(new URL(`fixtures/keys/${alg.toLowerCase()}.pem`, ROOT)));
  return { alg, key, kid: jwks.keys.find((jwk) => jwk['alg'] === alg)!['kid'] as string };
}

// Shaped like a Logto access token, as in scripts/bench.ts. The callback form of sign runs
// on libuv's pool, so a large pool is signed on both cores.
function signToken({ alg, key, kid }: Signer, jti: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims = { jti, sub: `u_${jti}`, iat: now, exp: now + 3600, scope: 'read:items write:items', client_id: 'bench-client', iss: ISSUER, aud: AUDIENCE };
  const signingInput = `${b64({ alg, typ: 'at+jwt', kid })}.${b64(claims)}`;
  const spec = getAlgorithm(alg)!;
  const keyInput = spec.kty === 'EC' ? { key, dsaEncoding: 'ieee-p1363' as const } : key;
  return new Promise((resolve, reject) => sign(spec.family === 'EdDSA' ? null : spec.hash, Buffer.from(signingInput), keyInput, (error, signature) => {
    if (error) reject(error);
    else resolve(`${signingInput}.${signature.toString('base64url')}`);
  }));
}

async function signMany(s: Signer, prefix: string, count: number): Promise<string[]> {
  const tokens: string[] = [];
  for (let start = 0; start < count; start += 256) {
    const batch = Array.from({ length: Math.min(256, count - start) }, (_, i) => signToken(s, `${prefix}-${start + i}`));
    tokens.push(...(await Promise.all(batch)));
  }
  return tokens;
}

// --- the server child ---------------------------------------------------------------------------

interface ServerChild { readonly child: ChildProcess; readonly port: number; usage(): Promise<ServerUsage> }

async function startServer(): Promise<ServerChild> {
  const execArgv = [...process.execArgv];
  if (flags['cpu-prof'] === true) {
    const folder = mkdtempSync(join(tmpdir(), 'clearjwt-bench-http-'));
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${folder}`);
    console.log(`server profile (main thread: *.0.001.cpuprofile) → ${folder}`);
  }
  const child = fork(new URL('bench-http-server.ts', import.meta.url), [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the server child exited early (${code})`)));
    child.once('message', (message: { type: string; port: number }) => resolve(message.port));
  });
  child.removeAllListeners('exit');
  const usage = () => new Promise<ServerUsage>((resolve) => {
    child.once('message', (message: ServerUsage) => resolve(message));
    child.send({ type: 'usage' });
  });
  return { child, port, usage };
}

/** SIGTERM to the child's PID; it closes its connections and exits 0. SIGKILL after 5 s. */
async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => child.pid !== undefined && child.exitCode === null && process.kill(child.pid, 'SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

// --- the load loop ------------------------------------------------------------------------------

interface LoadSpec {
  readonly path: Route;
  /** reused: connection i always sends tokens[i % length]; fresh: each request takes the next. */
  readonly tokens: readonly string[];
  readonly fresh: boolean;
  readonly durationMs: number;
}

interface LoadResult { readonly requests: number; readonly seconds: number; readonly latenciesMs: Float64Array; readonly failures: number }

function runLoad(agent: Agent, port: number, spec: LoadSpec): Promise<LoadResult> {
  const latencies: number[] = [];
  let failures = 0;
  let nextFresh = 0;
  let sent = 0;
  let open = CONNECTIONS;
  const begin = performance.now();
  const deadline = begin + spec.durationMs;
  return new Promise((resolve) => {
    const finish = () => resolve({ requests: latencies.length, seconds: (performance.now() - begin) / 1000, latenciesMs: Float64Array.from(latencies), failures });
    const send = (connection: number) => {
      const token = spec.tokens.length === 0 ? '' : spec.fresh ? spec.tokens[nextFresh] : spec.tokens[connection % spec.tokens.length];
      if (performance.now() >= deadline || token === undefined || sent >= MAX_REQUESTS_PER_RUN) return void (--open === 0 && finish());
      if (spec.fresh) nextFresh++;
      sent++;
      const sentAt = performance.now();
      const headers = token === '' ? {} : { authorization: `Bearer ${token}` };
      const req = request({ agent, host: '127.0.0.1', port, path: spec.path, headers }, (res) => {
        res.resume();
        res.once('end', () => {
          latencies.push(performance.now() - sentAt);
          if (res.statusCode !== 200) failures++;
          send(connection);
        });
      });
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('request timed out')));
      req.once('error', () => { failures++; send(connection); });
      req.end();
    };
    for (let connection = 0; connection < CONNECTIONS; connection++) send(connection);
  });
}

// --- the runs -------------------------------------------------------------------------------------

interface RunPlan { readonly label: string; readonly alg?: BenchAlgorithm; readonly cache?: boolean; readonly tokens: 'none' | 'reused' | 'fresh'; readonly load: LoadSpec; readonly warmup: LoadSpec }

type Pools = Record<BenchAlgorithm, string[]>;

function plans(reused: Pools, fresh: Pools): RunPlan[] {
  let opened = 0;
  const open = (): RunPlan => {
    const load: LoadSpec = { path: '/open', tokens: [], fresh: false, durationMs: DURATION_MS };
    return { label: `open #${++opened}`, tokens: 'none', load, warmup: { ...load, durationMs: WARMUP_MS } };
  };
  const protectedRun = (alg: BenchAlgorithm, cache: boolean, tokens: 'reused' | 'fresh'): RunPlan => {
    const path: Route = cache ? '/cache-on' : '/cache-off';
    // The warm-up always sends the reused tokens, so it never spends a fresh one.
    const warmup: LoadSpec = { path, tokens: reused[alg], fresh: false, durationMs: WARMUP_MS };
    const load: LoadSpec = { path, tokens: tokens === 'fresh' ? fresh[alg] : reused[alg], fresh: tokens === 'fresh', durationMs: DURATION_MS };
    return { label: `${alg}, cache ${cache ? 'on' : 'off'}, ${tokens === 'fresh' ? 'fresh tokens' : 'reused token'}`, alg, cache, tokens, load, warmup };
  };
  const pairs = (['reused', 'fresh'] as const).flatMap((tokens) => ALGORITHMS.map((alg) => [protectedRun(alg, true, tokens), protectedRun(alg, false, tokens)]))
    .map((pair) => pair.filter((plan) => flags.only === undefined || plan.label.includes(flags.only)))
    .filter((pair) => pair.length > 0)
    .map((pair, index) => (index % 2 === 0 ? pair : [...pair].reverse())); // neither cache setting always goes first
  return [open(), ...pairs.flatMap((pair) => [...pair, open()])];
}

/** Fresh tokens are signed only for the algorithms of the fresh runs selected. */
function freshAlgorithms(): BenchAlgorithm[] {
  return ALGORITHMS.filter((alg) => ['on', 'off'].some((cache) => flags.only === undefined || `${alg}, cache ${cache}, fresh tokens`.includes(flags.only)));
}

interface RunResult {
  readonly label: string; readonly alg: string | null; readonly cache: boolean | null; readonly tokens: 'none' | 'reused' | 'fresh';
  readonly requests: number; readonly seconds: number; readonly perSecond: number;
  readonly p50Ms: number; readonly p99Ms: number; readonly serverCpuUsPerRequest: number;
  readonly serverCpuPercent: number; readonly clientCpuPercent: number;
  /** requests/s over the mean requests/s of the open runs before and after this one. */
  ratioToOpen?: number;
  /** Those open runs' mean server CPU per request over this run's: the ratio of requests/s a
   *  server bound by its own CPU would see, much less moved by other work on the machine. */
  cpuRatioToOpen?: number;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(agent: Agent, server: ServerChild, plan: RunPlan): Promise<RunResult> {
  await runLoad(agent, server.port, plan.warmup);
  const serverBefore = await server.usage();
  const clientBefore = process.cpuUsage();
  const result = await runLoad(agent, server.port, plan.load);
  const clientCpu = process.cpuUsage(clientBefore);
  const serverAfter = await server.usage();
  if (result.failures > 0) throw new Error(`${plan.label}: ${result.failures} requests did not answer 200`);
  const sorted = result.latenciesMs.sort();
  const serverMicros = serverAfter.cpuMicros - serverBefore.cpuMicros;
  return {
    label: plan.label, alg: plan.alg ?? null, cache: plan.cache ?? null, tokens: plan.tokens,
    requests: result.requests, seconds: result.seconds, perSecond: result.requests / result.seconds,
    p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99),
    serverCpuUsPerRequest: serverMicros / result.requests,
    serverCpuPercent: serverMicros / 1e4 / result.seconds,
    clientCpuPercent: (clientCpu.user + clientCpu.system) / 1e4 / result.seconds,
  };
}

// --- report -------------------------------------------------------------------------------------

/** Each protected run against the open runs just before and after it. */
function addRatios(results: RunResult[]): void {
  results.forEach((run, index) => {
    if (run.tokens === 'none') return;
    const before = results.slice(0, index).reverse().find((r) => r.tokens === 'none')!;
    const after = results.slice(index + 1).find((r) => r.tokens === 'none')!;
    run.ratioToOpen = run.perSecond / ((before.perSecond + after.perSecond) / 2);
    run.cpuRatioToOpen = (before.serverCpuUsPerRequest + after.serverCpuUsPerRequest) / 2 / run.serverCpuUsPerRequest;
  });
}

function print(results: RunResult[], seconds: number): void {
  const fixed = (value: number, digits: number) => value.toFixed(digits);
  console.log(`clearjwt bench:http — node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${CONNECTIONS} connections, ${DURATION_MS / 1000} s per run${QUICK ? ' (quick)' : ''}`);
  console.log(`cache on = the default, ${JSON.stringify(CACHE)}; ratio = requests/s over the mean of the open runs`);
  console.log('before and after; CPU ratio = their mean server CPU per request over the run\'s\n');
  console.log('run                              | requests |    req/s | p50 ms | p99 ms | ratio | server µs/req | CPU ratio | server CPU | client CPU');
  for (const r of results) {
    console.log(`${r.label.padEnd(32)} | ${String(r.requests).padStart(8)} | ${fixed(r.perSecond, 0).padStart(8)} | ${fixed(r.p50Ms, 2).padStart(6)} | ${fixed(r.p99Ms, 2).padStart(6)} | ${(r.ratioToOpen === undefined ? '' : fixed(r.ratioToOpen, 2)).padStart(5)} | ${fixed(r.serverCpuUsPerRequest, 1).padStart(13)} | ${(r.cpuRatioToOpen === undefined ? '' : fixed(r.cpuRatioToOpen, 2)).padStart(9)} | ${`${fixed(r.serverCpuPercent, 0)}%`.padStart(10)} | ${`${fixed(r.clientCpuPercent, 0)}%`.padStart(10)}`);
  }
  console.log(`\n(${fixed(seconds, 0)} s; CPU % is of one core: ES384 verifies on libuv's pool, so the server can pass 100 %)`);
}

// bench-results.json belongs to `npm run bench` too: replace only our key.
function writeResults(http: unknown): void {
  const file = new URL('bench-results.json', ROOT);
  let previous: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      previous = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch {
      console.error('bench-results.json is not JSON; writing only the http results');
    }
  }
  writeFileSync(file, `${JSON.stringify({ ...previous, http }, null, 2)}\n`);
}

async function main(): Promise<void> {
  const started = performance.now();
  const signers = Object.fromEntries(ALGORITHMS.map((alg) => [alg, signer(alg)])) as Record<BenchAlgorithm, Signer>;
  const reused = {} as Pools;
  const fresh = {} as Pools;
  for (const alg of ALGORITHMS) {
    reused[alg] = await signMany(signers[alg], 'reused', CONNECTIONS);
    fresh[alg] = freshAlgorithms().includes(alg) ? await signMany(signers[alg], 'fresh', FRESH_POOL[alg]) : [];
  }
  const server = await startServer();
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const results: RunResult[] = [];
  try {
    const planned = plans(reused, fresh);
    // One pass over every route first, so neither process is still compiling in the first run.
    const routes = new Map(planned.map((plan) => [`${plan.load.path} ${plan.alg}`, plan.warmup]));
    for (const warmup of routes.values()) await runLoad(agent, server.port, warmup);
    for (const plan of planned) results.push(await measure(agent, server, plan));
  } finally {
    agent.destroy();
    await stopServer(server.child);
  }
  addRatios(results);
  const seconds = (performance.now() - started) / 1000;
  print(results, seconds);
  writeResults({
    date: new Date().toISOString(), node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model,
    connections: CONNECTIONS, durationMs: DURATION_MS, quick: QUICK, cache: CACHE,
    runs: results, seconds,
  });
}

await main();

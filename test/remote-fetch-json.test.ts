import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { AuthError } from '../src/errors.js';
import { fetchJson, parseRetryAfter, type FetchLimits } from '../src/remote/fetch-json.js';
import { sendJson, startKeyServer, type KeyServer } from './support/key-server.js';

const LIMITS: FetchLimits = { timeoutMs: 300, maxResponseBytes: 512 * 1024 };
// For answers that must succeed: a loaded CI machine can take longer than 300 ms for the
// first connection, and a timeout there would be a flake, not a finding.
const ROOMY: FetchLimits = { ...LIMITS, timeoutMs: 5_000 };
let server: KeyServer;
before(async () => { server = await startKeyServer({ keys: [] }); });
after(() => server.close());

const at = (path: string) => new URL(`${server.origin}${path}`);

async function refused(promise: Promise<unknown>, code: string): Promise<AuthError> {
  const error = await promise.then(() => assert.fail('expected a failure'), (e: unknown) => e);
  assert.ok(error instanceof AuthError, `expected an AuthError, got ${String(error)}`);
  assert.equal(error.code, code);
  return error;
}

// events.once would reject on the 'error' (ECONNRESET) that our own reset causes.
function socketClosed(socket: Socket): Promise<void> {
  socket.on('error', () => {});
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

// Resolves with whether the server saw the connection closed, and how many body bytes it sent.
function watchConnection(response: ServerResponse): { closed: Promise<void>; sent: () => number } {
  let sent = 0;
  response.on('error', () => {}); // the client resetting the connection is what we test for
  const write = response.write.bind(response);
  response.write = ((chunk: Buffer, ...rest: never[]) => { sent += chunk.length; return write(chunk, ...rest); }) as typeof response.write;
  return { closed: socketClosed(response.socket!), sent: () => sent };
}

test('a JSON object comes back with the Cache-Control max-age', async () => {
  server.route('/ok', (_, response) => sendJson(response, 200, { keys: [] }, { 'cache-control': 'public, max-age=120' }));
  const fetched = await fetchJson(at('/ok'), ROOMY, 'auth.jwks_invalid');
  assert.deepEqual(fetched, { document: { keys: [] }, maxAgeSeconds: 120 });
});

test('Cache-Control: only a well-formed max-age counts (RFC 9111 §5.2.2.1)', async () => {
  const cases: readonly [header: string | undefined, maxAge: number | undefined][] = [
    [undefined, undefined], ['max-age=0', 0], ['no-cache, MAX-AGE = 7', 7], ['max-age=60, must-revalidate', 60],
    ['s-maxage=100', undefined], ['max-age=abc', undefined], ['max-age=-5', undefined], ['private', undefined],
    ['x-max-age=30', undefined], ['max-age=30x', undefined], // the anchors: a whole directive, a whole number
  ];
  for (const [header, maxAge] of cases) {
    server.route('/cc', (_, response) => sendJson(response, 200, {}, header === undefined ? {} : { 'cache-control': header }));
    const fetched = await fetchJson(at('/cc'), ROOMY, 'auth.jwks_invalid');
    assert.equal(fetched.maxAgeSeconds, maxAge, String(header));
  }
});

test('non-2xx is unavailable, with the status in the cause', async () => {
  server.route('/500', (_, response) => sendJson(response, 500, { error: 'boom' }));
  const error = await refused(fetchJson(at('/500'), LIMITS, 'auth.jwks_invalid'), 'auth.jwks_unavailable');
  assert.equal(error.status, 503);
  assert.match((error.cause as Error).message, /HTTP 500/);
});

test('a redirect is refused, and its target is never requested', async () => {
  server.route('/moved', (_, response) => { response.writeHead(302, { location: `${server.origin}/target` }).end(); });
  server.route('/target', (_, response) => sendJson(response, 200, { keys: [] }));
  const error = await refused(fetchJson(at('/moved'), LIMITS, 'auth.jwks_invalid'), 'auth.jwks_unavailable');
  assert.match((error.cause as Error).message, /HTTP 302 \(redirects are not followed\)/);
  assert.equal(server.count('/target'), 0);
});

test('connection refused is unavailable, not a raw TypeError', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const { port } = closed.address() as AddressInfo;
  await new Promise((resolve) => closed.close(resolve));
  const error = await refused(fetchJson(new URL(`http://127.0.0.1:${port}/jwks`), LIMITS, 'auth.jwks_invalid'), 'auth.jwks_unavailable');
  assert.match((error.cause as Error).message, /ECONNREFUSED/);
});

test('a server that never answers times out, and the connection is closed', { timeout: 5_000 }, async () => {
  let closed: Promise<void> | undefined;
  server.route('/hang', (request) => { closed = socketClosed(request.socket); });
  const started = performance.now();
  const error = await refused(fetchJson(at('/hang'), LIMITS, 'auth.jwks_invalid'), 'auth.jwks_unavailable');
  assert.ok(performance.now() - started < LIMITS.timeoutMs + 500);
  assert.match((error.cause as Error).message, /within 300 ms/);
  await closed;
});

// The Node 20 trap: after a GC, the AbortSignal no longer ends a body read in progress.
test('headers, then a trickled body with a GC during the wait: the deadline still holds', { timeout: 5_000 }, async () => {
  assert.equal(typeof global.gc, 'function', 'run with node --expose-gc (npm test does)');
  let connection: ReturnType<typeof watchConnection> | undefined;
  server.route('/trickle', (_, response) => {
    connection = watchConnection(response);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write(Buffer.from('{"keys":['));
    const timer = setInterval(() => response.write(Buffer.from(' ')), 40);
    response.on('close', () => clearInterval(timer));
  });
  const gcTimer = setInterval(() => global.gc!(), 50);
  try {
    const started = performance.now();
    await refused(fetchJson(at('/trickle'), LIMITS, 'auth.jwks_invalid'), 'auth.jwks_unavailable');
    assert.ok(performance.now() - started < LIMITS.timeoutMs + 500);
    await connection!.closed;
  } finally {
    clearInterval(gcTimer);
  }
});

test('a fast endless body is refused as soon as it passes the cap', { timeout: 5_000 }, async () => {
  const total = 64 * 1024 * 1024;
  let connection: ReturnType<typeof watchConnection> | undefined;
  server.route('/flood', (_, response) => {
    connection = watchConnection(response);
    response.writeHead(200, { 'content-type': 'application/json' }); // no content-length
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = () => {
      while (connection!.sent() < total && !response.destroyed) {
        if (!response.write(chunk)) return void response.once('drain', pump);
      }
      response.end();
    };
    pump();
  });
  const error = await refused(fetchJson(at('/flood'), { timeoutMs: 5_000, maxResponseBytes: 512 * 1024 }, 'auth.jwks_invalid'), 'auth.jwks_invalid');
  assert.match((error.cause as Error).message, /larger than 524288 bytes/);
  await connection!.closed;
  // What the server got out before the close: the cap plus socket buffers, far from all of it.
  assert.ok(connection!.sent() < total / 4, `server sent ${connection!.sent()} bytes`);
});

test('a declared Content-Length above the cap is refused before reading', async () => {
  server.route('/big', (_, response) => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) });
    response.write('{"keys":['); // and never the rest
  });
  const started = performance.now();
  await refused(fetchJson(at('/big'), { timeoutMs: 5_000, maxResponseBytes: 1024 }, 'auth.discovery_invalid'), 'auth.discovery_invalid');
  assert.ok(performance.now() - started < 1_000);
});

test('a body that is not a UTF-8 JSON object gets the caller\'s code', async () => {
  const bodies: readonly Buffer[] = [
    Buffer.from('{"keys": ['), Buffer.from('[]'), Buffer.from('"keys"'), Buffer.from(''),
    Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), // {"\xff":1}
  ];
  for (const body of bodies) {
    server.route('/bad', (_, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(body));
    await refused(fetchJson(at('/bad'), LIMITS, 'auth.jwks_invalid'), 'auth.jwks_invalid');
    await refused(fetchJson(at('/bad'), LIMITS, 'auth.discovery_invalid'), 'auth.discovery_invalid');
  }
});

test('Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date; anything else is ignored', () => {
  const rows: [value: string | null, expected: ReturnType<typeof parseRetryAfter>][] = [
    ['120', { delaySeconds: 120 }], [' 0 ', { delaySeconds: 0 }],
    ['Sun, 06 Nov 1994 08:49:37 GMT', { date: Date.UTC(1994, 10, 6, 8, 49, 37) }],
    ['Sunday, 06-Nov-94 08:49:37 GMT', { date: Date.UTC(1994, 10, 6, 8, 49, 37) }],
    [null, undefined], ['', undefined], ['-5', undefined], ['1.5', undefined], ['soon', undefined], ['2026-01-01', undefined],
  ];
  for (const [value, expected] of rows) assert.deepEqual(parseRetryAfter(value), expected, String(value));
});

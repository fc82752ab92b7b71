// One bounded GET of a JSON document: the only place clearjwt touches the network.
//
// Bounds, because the server at the other end may be slow, broken or hostile:
// - one deadline for the whole exchange (connect, headers, every body chunk). We race each
//   step against our own timer instead of trusting the AbortSignal alone: on Node 20 (seen
//   on 20.20) once a garbage collection has run, aborting the signal no longer ends a body
//   read that is in progress, and a server trickling its body would hold us forever.
//   Cancelling the stream's reader does end it, and closes the connection.
// - a size cap enforced while reading, so an endless body costs at most `maxResponseBytes`.
// - no redirects (`redirect: 'manual'`, then any 3xx is refused like any non-2xx): the
//   target of a redirect has not passed the URL policy (url-policy.ts), and could downgrade
//   to http or point anywhere. Discovery and jwks_uri are published URLs; configure the
//   final one. 'manual' rather than 'error' so the failure names the status it refused.

import { setTimeout as sleep } from 'node:timers/promises';
import { AuthError, type AuthErrorCode } from '../errors.js';
import { parseJsonObject } from '../json.js';

export const DEFAULT_TIMEOUT_MS = 5_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 512 * 1024;

export interface FetchLimits {
  /** Deadline for the whole exchange, in milliseconds. */
  readonly timeoutMs: number;
  /** The largest body accepted, in bytes. */
  readonly maxResponseBytes: number;
}

/**
 * RFC 9110 §10.2.3 `Retry-After`, as sent with a 429 (RFC 6585 §4) or 503: a delay in
 * seconds, or an HTTP-date (the server's clock: the cache turns it into a wait on its own).
 */
export type RetryAfter = { readonly delaySeconds: number } | { readonly date: number };

/** The error's `cause` when the server answered other than 2xx. */
export interface HttpStatusFailure extends Error {
  readonly status: number;
  readonly retryAfter: RetryAfter | undefined;
}

/** A step of the exchange, or the deadline's rejection if that comes first. */
type Race = <T>(step: Promise<T>) => Promise<T>;

interface FetchedJson {
  readonly document: Record<string, unknown>;
  /** `Cache-Control: max-age` in seconds, if the server sent one. */
  readonly maxAgeSeconds: number | undefined;
}

/**
 * GET `url` and parse it as a JSON object, within `limits`. A server that cannot be reached,
 * is too slow or answers other than 2xx fails with `unavailableCode`; a body that is too
 * large or not a JSON object fails with `invalidCode`. `cause` carries the detail.
 */
export async function fetchJson(url: URL, limits: FetchLimits, invalidCode: AuthErrorCode, unavailableCode: AuthErrorCode = 'auth.jwks_unavailable'): Promise<FetchedJson> {
  const controller = new AbortController(); // aborted in `finally`: that also clears the deadline's timer
  const expired = sleep(limits.timeoutMs, undefined, { signal: controller.signal })
    .then(() => { throw new Error(`no complete response within ${limits.timeoutMs} ms`); });
  expired.catch(ignore); // it is always raced while it can fire; this only marks it handled
  const race: Race = (step) => Promise.race([step, expired]);
  const failure = (code: AuthErrorCode, reason: string, options?: ErrorOptions) => new AuthError(code, { cause: new Error(`GET ${url.href}: ${reason}`, options) });
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  try {
    const { status, headers, body } = await race(fetch(url, { redirect: 'manual', signal: controller.signal, headers: { accept: 'application/json' } }));
    reader = body?.getReader();
    if (status < 200 || status > 299) {
      const retryAfter = status === 429 || status === 503 ? parseRetryAfter(headers.get('retry-after')) : undefined;
      const redirect = status >= 300 && status <= 399 ? ' (redirects are not followed)' : '';
      const cause: HttpStatusFailure = Object.assign(new Error(`GET ${url.href}: HTTP ${status}${redirect}`), { status, retryAfter });
      throw new AuthError(unavailableCode, { cause });
    }
    // A declared oversize body is refused before any of it is read.
    const declared = Number(headers.get('content-length'));
    const bytes = declared > limits.maxResponseBytes ? undefined : await readBody(reader, limits.maxResponseBytes, race);
    if (bytes === undefined) throw failure(invalidCode, `body larger than ${limits.maxResponseBytes} bytes`);
    const document = parseJsonObject(bytes);
    if (document === undefined) throw failure(invalidCode, 'body is not a JSON object');
    const maxAge = MAX_AGE.exec(headers.get('cache-control') ?? '')?.[1];
    return { document, maxAgeSeconds: maxAge === undefined ? undefined : Number(maxAge) };
  } catch (error) {
    if (error instanceof AuthError) throw error;
    // fetch() reports network failures as `TypeError: fetch failed` with the reason in `cause`.
    const { message, cause } = error instanceof Error ? error : { message: String(error), cause: undefined };
    const detail = cause instanceof Error ? ` (${'code' in cause ? String(cause.code) : cause.message})` : '';
    throw failure(unavailableCode, message + detail, { cause: error });
  } finally {
    // Cancelling the reader ends an unfinished body and closes its connection (a no-op after
    // a full read); the abort closes a connection whose headers never came.
    reader?.cancel().catch(ignore);
    controller.abort();
  }
}

// The body, read chunk by chunk within the deadline; `undefined` as soon as it passes
// `maxBytes` (the caller then cancels the reader, which closes the connection).
async function readBody(reader: ReadableStreamDefaultReader<Uint8Array> | undefined, maxBytes: number, race: Race): Promise<Buffer | undefined> {
  if (reader === undefined) return Buffer.alloc(0); // no body at all (a 204, say)
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (let read = await race(reader.read()); !read.done; read = await race(reader.read())) {
    length += read.value.byteLength;
    if (length > maxBytes) return undefined;
    chunks.push(read.value);
  }
  return Buffer.concat(chunks, length);
}

// RFC 9110 §10.2.3: Retry-After = HTTP-date / delay-seconds, delay-seconds = 1*DIGIT (§10.2.3);
// HTTP-date per §5.6.7 (Date.parse reads IMF-fixdate and the two obsolete forms).
export function parseRetryAfter(value: string | null): RetryAfter | undefined {
  const trimmed = value?.trim() ?? '';
  if (/^\d+$/.test(trimmed)) return { delaySeconds: Number(trimmed) };
  const date = /^[A-Za-z]{3}/.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  return Number.isNaN(date) ? undefined : { date };
}

// RFC 9111 §5.2.2.1: `max-age=<delta-seconds>`, delta-seconds being 1*DIGIT (§1.2.2).
// Anchored to whole directives: an extension that ends in `max-age` (or a value running on
// past its digits) is not ours, nor is `s-maxage` (for shared caches).
const MAX_AGE = /(?:^|,)\s*max-age\s*=\s*(\d+)\s*(?:,|$)/i;

function ignore(): void {}

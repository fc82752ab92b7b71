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

interface FetchedJson {
  readonly document: Record<string, unknown>;
  /** `Cache-Control: max-age` in seconds, if the server sent one. */
  readonly maxAgeSeconds: number | undefined;
}

/**
 * GET `url` and parse it as a JSON object, within `limits`. A server that cannot be reached,
 * is too slow or answers other than 2xx fails with `auth.jwks_unavailable`; a body that is
 * too large or not a JSON object fails with `invalidCode`. `cause` carries the detail.
 */
export async function fetchJson(url: URL, limits: FetchLimits, invalidCode: AuthErrorCode): Promise<FetchedJson> {
  const controller = new AbortController();
  const deadline = startDeadline(limits.timeoutMs);
  const invalid = (reason: string) => new AuthError(invalidCode, { cause: new Error(`GET ${url.href}: ${reason}`) });
  try {
    const response = await deadline.race(fetch(url, {
      redirect: 'manual', signal: controller.signal, headers: { accept: 'application/json' },
    }));
    if (response.status < 200 || response.status > 299) {
      discardBody(response);
      throw new AuthError('auth.jwks_unavailable', { cause: statusFailure(url, response) });
    }
    // Refuse a declared oversize body before reading any of it.
    if (Number(response.headers.get('content-length')) > limits.maxResponseBytes) {
      discardBody(response);
      throw invalid(`body larger than ${limits.maxResponseBytes} bytes`);
    }
    const body = await readBody(response, limits.maxResponseBytes, deadline);
    if (body === undefined) throw invalid(`body larger than ${limits.maxResponseBytes} bytes`);
    const document = parseJsonObject(body);
    if (document === undefined) throw invalid('body is not a JSON object');
    return { document, maxAgeSeconds: parseMaxAge(response.headers.get('cache-control')) };
  } catch (error) {
    if (error instanceof AuthError) throw error;
    const reason = error instanceof Error ? describe(error) : String(error);
    throw new AuthError('auth.jwks_unavailable', { cause: new Error(`GET ${url.href}: ${reason}`, { cause: error }) });
  } finally {
    deadline.clear();
    controller.abort(); // closes a connection left open by a failure; a no-op after a full read
  }
}

// The body, read chunk by chunk within the deadline; `undefined` as soon as it passes
// `maxBytes` (the reader is cancelled then, which closes the connection).
async function readBody(response: Response, maxBytes: number, deadline: Deadline): Promise<Buffer | undefined> {
  if (response.body === null) return Buffer.alloc(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    for (;;) {
      const { done, value } = await deadline.race(reader.read());
      if (done) return Buffer.concat(chunks, length);
      length += value.byteLength;
      if (length > maxBytes) {
        reader.cancel().catch(ignore);
        return undefined;
      }
      chunks.push(value);
    }
  } catch (error) {
    reader.cancel().catch(ignore);
    throw error;
  }
}

interface Deadline {
  race<T>(step: Promise<T>): Promise<T>;
  clear(): void;
}

function startDeadline(timeoutMs: number): Deadline {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(reject, timeoutMs, new Error(`no complete response within ${timeoutMs} ms`));
  });
  expired.catch(ignore); // it is always raced while it can fire; this only marks it handled
  return { race: (step) => Promise.race([step, expired]), clear: () => clearTimeout(timer) };
}

function statusFailure(url: URL, response: Response): HttpStatusFailure {
  const { status } = response;
  const redirect = status >= 300 && status <= 399 ? ' (redirects are not followed)' : '';
  const retryAfter = status === 429 || status === 503 ? parseRetryAfter(response.headers.get('retry-after')) : undefined;
  return Object.assign(new Error(`GET ${url.href}: HTTP ${status}${redirect}`), { status, retryAfter });
}

/** The Retry-After a failed fetch carried, if the server sent one with its 429 or 503. */
export function retryAfterOf(error: AuthError): RetryAfter | undefined {
  const cause: unknown = error.cause;
  return cause instanceof Error && 'retryAfter' in cause ? (cause as HttpStatusFailure).retryAfter : undefined;
}

// RFC 9110 §10.2.3: Retry-After = HTTP-date / delay-seconds, delay-seconds = 1*DIGIT (§10.2.3);
// HTTP-date per §5.6.7 (Date.parse reads IMF-fixdate and the two obsolete forms).
export function parseRetryAfter(value: string | null): RetryAfter | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return { delaySeconds: Number(trimmed) };
  const date = /^[A-Za-z]{3}/.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  return Number.isNaN(date) ? undefined : { date };
}

// RFC 9111 §5.2.2.1: `max-age=<delta-seconds>`, delta-seconds being 1*DIGIT (§1.2.2).
// `s-maxage` is for shared caches and is not ours; the anchors keep it from matching.
const MAX_AGE = /(?:^|,)\s*max-age\s*=\s*(\d+)\s*(?:,|$)/i;

function parseMaxAge(cacheControl: string | null): number | undefined {
  const match = cacheControl === null ? null : MAX_AGE.exec(cacheControl);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function discardBody(response: Response): void {
  response.body?.cancel().catch(ignore);
}

// fetch() reports network failures as `TypeError: fetch failed` with the reason in `cause`.
function describe(error: Error): string {
  const cause: unknown = error.cause;
  if (!(cause instanceof Error)) return error.message;
  return `${error.message} (${'code' in cause ? String(cause.code) : cause.message})`;
}

function ignore(): void {}

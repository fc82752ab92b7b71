// What every adapter shares: its options, read once when the route is set up, and the one
// call that turns a request into claims or an AuthError. The adapters are leaves: they use
// the core's public pieces (the verifier, AuthError) and the core never imports them. Nor do
// they import the DPoP leaf: a request verifier is anything of its shape (RequestVerifier).

import type { HeadersInput } from '../bearer.js';
import type { Claims } from '../claims.js';
import { toAuthError } from '../errors.js';
import { readCallOptions, refuseUnknownNames } from '../options.js';
import type { Verifier, VerifyCallOptions } from '../verifier.js';

/** What an adapter reads from the HTTP request: the method and the request target as received, and the headers. */
export interface HttpRequest {
  readonly method: string | undefined;
  /** The request target (`req.url`, Express `req.originalUrl`) or the fetch Request's absolute URL. */
  readonly url: string | undefined;
  readonly headers: unknown;
}

/**
 * A verifier that needs the whole request, not only its headers: `createDpopVerifier`'s
 * (clearjwt/dpop). The proof names the method and URL (RFC 9449 §4.3 steps 8–9), and the
 * server may hand out a nonce on every response (§8.2).
 */
export interface RequestVerifier<Custom extends object = Record<never, never>> {
  (request: { method: string; url: string; headers: HeadersInput }, options?: VerifyCallOptions): Promise<Claims<Custom>>;
  /** Headers for every response of the route, e.g. `dpop-nonce`; `{}` when there are none. */
  responseHeaders(): Record<string, string>;
}

/** The first argument of every adapter: `createVerifier`'s verifier, or `createDpopVerifier`'s. */
export type AnyVerifier<Custom extends object> = Verifier<Custom> | RequestVerifier<Custom>;

/** Options of every adapter's `requireAuth` / `withAuth`, per route. */
export interface AuthOptions<Request> {
  /** Scopes this route requires, on top of the verifier's `requiredScopes` (403 without them). */
  readonly scopes?: readonly string[];
  /**
   * Who answers a refused request. `'respond'` (default): the adapter sends the AuthError's
   * status, headers and JSON body. `'next'`: the adapter hands the AuthError on — Express
   * `next(error)`; Fastify and Hono throw it to their error handler; `withAuth` rejects.
   */
  readonly onError?: 'respond' | 'next';
  /**
   * Where the token is, when not in the `Authorization` header (a cookie, a WebSocket query
   * parameter): return the raw compact token, or undefined when the request has none (401
   * `auth.authorization_header_missing`). It is then verified with `verify.token`. If the
   * getter throws, the request is refused (`auth.verification_failed`): fail closed.
   */
  readonly token?: (request: Request) => string | undefined | Promise<string | undefined>;
}

/** The options after checking: what `authenticate` runs with. */
export interface AuthSettings<Request, Custom extends object = Record<never, never>> {
  /** Which of the two verifiers the route has: one reads headers, the other the request. */
  readonly verifier: { readonly kind: 'headers'; readonly verify: Verifier<Custom> } | { readonly kind: 'request'; readonly verify: RequestVerifier<Custom> };
  readonly callOptions: VerifyCallOptions;
  readonly respond: boolean;
  readonly token: ((request: Request) => string | undefined | Promise<string | undefined>) | undefined;
}

const OPTION_NAMES: readonly string[] = Object.freeze(['scopes', 'onError', 'token']);

/** Checks the verifier and the options once, at route setup; throws a TypeError naming what is wrong. */
export function readAuthOptions<Request, Custom extends object = Record<never, never>>(
  caller: string, verify: unknown, options: unknown,
): AuthSettings<Request, Custom> {
  const verifier = readVerifier<Custom>(caller, verify);
  if (options === undefined) return { verifier, callOptions: {}, respond: true, token: undefined };
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new TypeError(`${caller}: options must be an object`);
  // The core's own readers: unknown names refused with the closest known one; scopes as verify checks them.
  const scopes = asCaller(caller, () => {
    refuseUnknownNames(options, OPTION_NAMES, '');
    return readCallOptions({ scopes: (options as AuthOptions<Request>).scopes }).scopes;
  });
  const { onError, token } = options as AuthOptions<Request>;
  if (onError !== undefined && onError !== 'respond' && onError !== 'next') throw new TypeError(`${caller}: onError must be 'respond' or 'next'`);
  if (token !== undefined && typeof token !== 'function') throw new TypeError(`${caller}: token must be a function (request) => string | undefined`);
  // RFC 9449 §7.1: a DPoP token travels in `Authorization: DPoP`, next to its proof; a token
  // from elsewhere could not be matched with the proof's ath.
  if (token !== undefined && verifier.kind === 'request') throw new TypeError(`${caller}: token cannot be used with a DPoP verifier`);
  return {
    verifier,
    callOptions: scopes.length === 0 ? {} : { scopes: Object.freeze([...scopes]) },
    respond: onError !== 'next',
    token,
  };
}

// The DPoP verifier is told apart by its responseHeaders(), which the core verifier lacks.
function readVerifier<Custom extends object>(caller: string, verify: unknown): AuthSettings<unknown, Custom>['verifier'] {
  if (typeof verify === 'function' && typeof (verify as Partial<RequestVerifier>).responseHeaders === 'function') {
    return { kind: 'request', verify: verify as RequestVerifier<Custom> };
  }
  if (typeof verify === 'function' && typeof (verify as Partial<Verifier>).token === 'function') return { kind: 'headers', verify: verify as Verifier<Custom> };
  throw new TypeError(`${caller}: the first argument must be the verifier from createVerifier() or createDpopVerifier()`);
}

// The core's TypeError, with the adapter's name in front of its message.
function asCaller<T>(caller: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    throw new TypeError(`${caller}: ${error.message.replace(/^clearjwt: (verify: )?/, '')}`, { cause: error });
  }
}

/** The request's claims, or rejects with an AuthError: anything else fails closed as one. */
export async function authenticate<Custom extends object, Request>(
  settings: AuthSettings<Request, Custom>, request: Request, http: HttpRequest,
): Promise<Claims<Custom>> {
  const { verifier } = settings;
  try {
    if (verifier.kind === 'request') {
      // The request target as received; the DPoP leaf puts its configured public origin in
      // front of the path (never the Host header). A missing method or URL is its TypeError,
      // caught below: 401, fail closed.
      const { method, url, headers } = http as { method: string; url: string; headers: HeadersInput };
      return await verifier.verify({ method, url, headers }, settings.callOptions);
    }
    const verify = verifier.verify;
    if (settings.token === undefined) return await verify(http.headers as HeadersInput, settings.callOptions);
    const token = await settings.token(request);
    // No token where the getter looks: the same answer, from the verifier (with its realm),
    // as a request without credentials (RFC 6750 §3.1: no error attribute).
    if (token === undefined || token === null || token === '') return await verify({}, settings.callOptions);
    return await verify.token(token, settings.callOptions);
  } catch (error) {
    throw toAuthError(error);
  }
}

/** Headers for a successful response: the DPoP nonce when the verifier hands one out (RFC 9449 §8.2). */
export function successHeaders<Request, Custom extends object>(settings: AuthSettings<Request, Custom>): Record<string, string> {
  return settings.verifier.kind === 'request' ? settings.verifier.verify.responseHeaders() : {};
}

// What every adapter shares: its options, read once when the route is set up, and the one
// call that turns a request into claims or an AuthError. The adapters are leaves: they use
// the core's public pieces (the verifier, AuthError) and the core never imports them.

import type { Claims } from '../claims.js';
import { toAuthError } from '../errors.js';
import { readCallOptions, refuseUnknownNames } from '../options.js';
import type { Verifier, VerifyCallOptions } from '../verifier.js';

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
export interface AuthSettings<Request> {
  readonly callOptions: VerifyCallOptions;
  readonly respond: boolean;
  readonly token: ((request: Request) => string | undefined | Promise<string | undefined>) | undefined;
}

const OPTION_NAMES: readonly string[] = Object.freeze(['scopes', 'onError', 'token']);

/** Checks the verifier and the options once, at route setup; throws a TypeError naming what is wrong. */
export function readAuthOptions<Request>(caller: string, verify: unknown, options: unknown): AuthSettings<Request> {
  if (typeof verify !== 'function' || typeof (verify as { token?: unknown }).token !== 'function') {
    throw new TypeError(`${caller}: the first argument must be the verifier from createVerifier()`);
  }
  if (options === undefined) return { callOptions: {}, respond: true, token: undefined };
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new TypeError(`${caller}: options must be an object`);
  // The core's own readers: unknown names refused with the closest known one; scopes as verify checks them.
  const scopes = asCaller(caller, () => {
    refuseUnknownNames(options, OPTION_NAMES, '');
    return readCallOptions({ scopes: (options as AuthOptions<Request>).scopes }).scopes;
  });
  const { onError, token } = options as AuthOptions<Request>;
  if (onError !== undefined && onError !== 'respond' && onError !== 'next') throw new TypeError(`${caller}: onError must be 'respond' or 'next'`);
  if (token !== undefined && typeof token !== 'function') throw new TypeError(`${caller}: token must be a function (request) => string | undefined`);
  return {
    callOptions: scopes.length === 0 ? {} : { scopes: Object.freeze([...scopes]) },
    respond: onError !== 'next',
    token,
  };
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
  verify: Verifier<Custom>, settings: AuthSettings<Request>, request: Request, headers: unknown,
): Promise<Claims<Custom>> {
  try {
    if (settings.token === undefined) return await verify(headers as Parameters<Verifier>[0], settings.callOptions);
    const token = await settings.token(request);
    // No token where the getter looks: the same answer, from the verifier (with its realm),
    // as a request without credentials (RFC 6750 §3.1: no error attribute).
    if (token === undefined || token === null || token === '') return await verify({}, settings.callOptions);
    return await verify.token(token, settings.callOptions);
  } catch (error) {
    throw toAuthError(error);
  }
}

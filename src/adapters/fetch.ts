// clearjwt/fetch: WHATWG Request → claims, AuthError → Response. For runtimes and routers
// built on fetch: Bun.serve, Deno.serve, Next.js route handlers, Hono, Cloudflare-style
// handlers. Uses only the global Request/Response: no Node built-in, no framework import.
//
//   Bun.serve({ routes: { '/admin': withAuth(verify, { scopes: ['admin'] }, (req, claims) => Response.json(claims)) } })
//   app.get('/admin', requireAuth(verify, { scopes: ['admin'] }), (c) => c.json(c.get('auth')))   // Hono

import type { Claims } from '../claims.js';
import { toAuthError } from '../errors.js';
import type { Verifier } from '../verifier.js';
import { authenticate, readAuthOptions, type AuthOptions } from './authenticate.js';

export type { AuthOptions } from './authenticate.js';
// So that one import line and createVerifier are the whole setup of an app.
export { AuthError } from '../errors.js';
export { createVerifier } from '../verifier.js';

/**
 * `error` as a Response: the AuthError's status, headers and JSON body. Anything that is not
 * an AuthError is answered as `auth.verification_failed` (401): fail closed.
 */
export function authErrorResponse(error: unknown): Response {
  const authError = toAuthError(error);
  return new Response(JSON.stringify(authError.body), { status: authError.status, headers: authError.headers });
}

/** A fetch handler that runs once the request is authenticated; extra arguments (Next.js context, Bun server) pass through. */
export type AuthenticatedFetchHandler<Custom extends object, Rest extends unknown[]> =
  (request: Request, claims: Claims<Custom>, ...rest: Rest) => Response | Promise<Response>;

/**
 * Wraps a fetch handler so it runs only for an authenticated request: the token is verified
 * (with the route's `scopes`), then `handler(request, claims, ...rest)` answers. A refused
 * request gets `authErrorResponse(error)`, or, with `onError: 'next'`, the returned function
 * rejects with the AuthError. Options are checked now; a wrong one throws a TypeError.
 */
export function withAuth<Custom extends object = Record<never, never>, Rest extends unknown[] = []>(
  verify: Verifier<Custom>, handler: AuthenticatedFetchHandler<Custom, Rest>,
): (request: Request, ...rest: Rest) => Promise<Response>;
export function withAuth<Custom extends object = Record<never, never>, Rest extends unknown[] = []>(
  verify: Verifier<Custom>, options: AuthOptions<Request>, handler: AuthenticatedFetchHandler<Custom, Rest>,
): (request: Request, ...rest: Rest) => Promise<Response>;
export function withAuth<Custom extends object, Rest extends unknown[]>(
  verify: Verifier<Custom>,
  optionsOrHandler: AuthOptions<Request> | AuthenticatedFetchHandler<Custom, Rest>,
  maybeHandler?: AuthenticatedFetchHandler<Custom, Rest>,
): (request: Request, ...rest: Rest) => Promise<Response> {
  const [options, handler] = typeof optionsOrHandler === 'function' ? [undefined, optionsOrHandler] : [optionsOrHandler, maybeHandler];
  const settings = readAuthOptions<Request>('clearjwt/fetch withAuth', verify, options);
  if (typeof handler !== 'function') throw new TypeError('clearjwt/fetch withAuth: the last argument must be the handler (request, claims)');
  return async (request, ...rest) => {
    let claims: Claims<Custom>;
    try {
      claims = await authenticate(verify, settings, request, request.headers);
    } catch (error) {
      if (!settings.respond) throw error;
      return authErrorResponse(error);
    }
    return handler(request, claims, ...rest);
  };
}

/** The part of a Hono Context the middleware uses: the fetch Request and the variable store. */
export interface FetchContextLike {
  readonly req: { readonly raw: Request };
  set(key: 'auth', value: Claims<object>): void;
}

/** A Hono-style middleware: `(c, next)`, returning a Response to answer early. */
export type AuthContextMiddleware<Context extends FetchContextLike = FetchContextLike> =
  (c: Context, next: () => Promise<void>) => Promise<Response | undefined>;

/**
 * Middleware for routers whose context carries the fetch Request as `c.req.raw` (Hono): it
 * verifies the token (with the route's `scopes`), stores the claims as `c.get('auth')` and
 * calls `next()`. A refused request gets `authErrorResponse(error)`, or, with
 * `onError: 'next'`, the AuthError is thrown to the router's `onError`. The `token` getter
 * receives the context. Options are checked now; a wrong one throws a TypeError.
 */
export function requireAuth<Custom extends object = Record<never, never>, Context extends FetchContextLike = FetchContextLike>(
  verify: Verifier<Custom>, options?: AuthOptions<Context>,
): AuthContextMiddleware<Context> {
  const settings = readAuthOptions<Context>('clearjwt/fetch requireAuth', verify, options);
  return async (c, next) => {
    try {
      c.set('auth', await authenticate(verify, settings, c, c.req.raw.headers));
    } catch (error) {
      if (!settings.respond) throw error;
      return authErrorResponse(error);
    }
    await next();
    return undefined;
  };
}

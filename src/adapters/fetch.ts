// clearjwt/fetch: WHATWG Request → claims, AuthError → Response. For runtimes and routers
// built on fetch: Bun.serve, Deno.serve, Next.js route handlers, Hono, Cloudflare-style
// handlers. Uses only the global Request/Response: no Node built-in, no framework import.
//
//   Bun.serve({ routes: { '/admin': withAuth(verify, { scopes: ['admin'] }, (req, claims) => Response.json(claims)) } })
//   app.get('/admin', requireAuth(verify, { scopes: ['admin'] }), (c) => c.json(c.get('auth')))   // Hono

import type { Claims } from '../claims.js';
import { toAuthError } from '../errors.js';
import { authenticate, readAuthOptions, successHeaders, type AnyVerifier, type AuthOptions } from './authenticate.js';

export type { AuthOptions, RequestVerifier } from './authenticate.js';
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

// The URL of a fetch Request is absolute, its origin built by the runtime from the Host
// header; the DPoP leaf keeps only its path and query and puts its publicOrigin in front.
const fetchRequest = (request: Request) => ({ method: request.method, url: request.url, headers: request.headers });

// The route's headers on the handler's response (RFC 9449 §8.2: the nonce on every response).
// A Response whose headers are immutable (one from fetch()) is copied with them.
function withHeaders(response: Response, headers: Record<string, string>): Response {
  const entries = Object.entries(headers);
  if (entries.length === 0) return response;
  try {
    for (const [name, value] of entries) response.headers.set(name, value);
    return response;
  } catch {
    const copy = new Headers(response.headers);
    for (const [name, value] of entries) copy.set(name, value);
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers: copy });
  }
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
  verify: AnyVerifier<Custom>, handler: AuthenticatedFetchHandler<Custom, Rest>,
): (request: Request, ...rest: Rest) => Promise<Response>;
export function withAuth<Custom extends object = Record<never, never>, Rest extends unknown[] = []>(
  verify: AnyVerifier<Custom>, options: AuthOptions<Request>, handler: AuthenticatedFetchHandler<Custom, Rest>,
): (request: Request, ...rest: Rest) => Promise<Response>;
export function withAuth<Custom extends object, Rest extends unknown[]>(
  verify: AnyVerifier<Custom>,
  optionsOrHandler: AuthOptions<Request> | AuthenticatedFetchHandler<Custom, Rest>,
  maybeHandler?: AuthenticatedFetchHandler<Custom, Rest>,
): (request: Request, ...rest: Rest) => Promise<Response> {
  const [options, handler] = typeof optionsOrHandler === 'function' ? [undefined, optionsOrHandler] : [optionsOrHandler, maybeHandler];
  const settings = readAuthOptions<Request, Custom>('clearjwt/fetch withAuth', verify, options);
  if (typeof handler !== 'function') throw new TypeError('clearjwt/fetch withAuth: the last argument must be the handler (request, claims)');
  return async (request, ...rest) => {
    let claims: Claims<Custom>;
    try {
      claims = await authenticate(settings, request, fetchRequest(request));
    } catch (error) {
      if (!settings.respond) throw error;
      return authErrorResponse(error);
    }
    return withHeaders(await handler(request, claims, ...rest), successHeaders(settings));
  };
}

/** The part of a Hono Context the middleware uses: the fetch Request and the variable store. */
export interface FetchContextLike {
  readonly req: { readonly raw: Request };
  set(key: 'auth', value: Claims<object>): void;
  /** Sets a header on the context's response (Hono's `c.header`): the DPoP nonce on success. */
  header(name: string, value: string): void;
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
  verify: AnyVerifier<Custom>, options?: AuthOptions<Context>,
): AuthContextMiddleware<Context> {
  const settings = readAuthOptions<Context, Custom>('clearjwt/fetch requireAuth', verify, options);
  return async (c, next) => {
    try {
      c.set('auth', await authenticate(settings, c, fetchRequest(c.req.raw)));
    } catch (error) {
      if (!settings.respond) throw error;
      return authErrorResponse(error);
    }
    await next();
    // After the handler, so that the headers land on the response it made.
    for (const [name, value] of Object.entries(successHeaders(settings))) c.header(name, value);
    return undefined;
  };
}

// clearjwt/node: protect a node:http handler. Typed structurally (no import of node:http), so
// anything shaped like IncomingMessage / ServerResponse fits.
//
//   createServer(withAuth(verify, { scopes: ['read:profile'] }, (req, res, claims) => …))

import type { Claims } from '../claims.js';
import { toAuthError, type AuthError } from '../errors.js';
import type { Verifier } from '../verifier.js';
import { authenticate, readAuthOptions, type AuthOptions } from './authenticate.js';

export type { AuthOptions } from './authenticate.js';
// So that one import line and createVerifier are the whole setup of an app.
export { AuthError } from '../errors.js';
export { createVerifier } from '../verifier.js';

/** The part of node:http's `IncomingMessage` the adapter reads. */
export interface NodeRequestLike {
  /** Node ≥ 18.3: every value of every header, so two Authorization headers are seen (and refused). */
  readonly headersDistinct?: Readonly<Record<string, readonly string[] | undefined>>;
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
}

/** The part of node:http's `ServerResponse` the adapter writes. */
export interface NodeResponseLike {
  readonly headersSent: boolean;
  writeHead(status: number, headers: Record<string, string | number>): unknown;
  end(body?: string): unknown;
}

/** A handler that runs once the request is authenticated; `claims` are the verified token's. */
export type AuthenticatedHandler<Req, Res, Custom extends object> = (req: Req, res: Res, claims: Claims<Custom>) => unknown;

/**
 * Sends `error` as the response: its status, `headers` and JSON `body`. Anything that is
 * not an AuthError is answered as `auth.verification_failed` (401): fail closed.
 */
export function sendAuthError(res: NodeResponseLike, error: unknown): void {
  if (res.headersSent) return void res.end();
  const authError: AuthError = toAuthError(error);
  const text = JSON.stringify(authError.body);
  res.writeHead(authError.status, { ...authError.headers, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Wraps a node:http handler so it runs only for an authenticated request: the token is
 * verified (with the route's `scopes`), then `handler(req, res, claims)` runs. A refused
 * request is answered with the AuthError (or, with `onError: 'next'`, the returned function
 * rejects with it). Options are checked now; a wrong one throws a TypeError.
 */
export function withAuth<Req extends NodeRequestLike, Res extends NodeResponseLike, Custom extends object = Record<never, never>>(
  verify: Verifier<Custom>, handler: AuthenticatedHandler<Req, Res, Custom>,
): (req: Req, res: Res) => Promise<void>;
export function withAuth<Req extends NodeRequestLike, Res extends NodeResponseLike, Custom extends object = Record<never, never>>(
  verify: Verifier<Custom>, options: AuthOptions<Req>, handler: AuthenticatedHandler<Req, Res, Custom>,
): (req: Req, res: Res) => Promise<void>;
export function withAuth<Req extends NodeRequestLike, Res extends NodeResponseLike, Custom extends object>(
  verify: Verifier<Custom>,
  optionsOrHandler: AuthOptions<Req> | AuthenticatedHandler<Req, Res, Custom>,
  maybeHandler?: AuthenticatedHandler<Req, Res, Custom>,
): (req: Req, res: Res) => Promise<void> {
  const [options, handler] = typeof optionsOrHandler === 'function' ? [undefined, optionsOrHandler] : [optionsOrHandler, maybeHandler];
  const settings = readAuthOptions<Req>('clearjwt/node withAuth', verify, options);
  if (typeof handler !== 'function') throw new TypeError('clearjwt/node withAuth: the last argument must be the handler (req, res, claims)');
  return async (req, res) => {
    let claims: Claims<Custom>;
    try {
      claims = await authenticate(verify, settings, req, req.headersDistinct ?? req.headers);
    } catch (error) {
      if (!settings.respond) throw error;
      return sendAuthError(res, error);
    }
    await handler(req, res, claims);
  };
}

// clearjwt/express: Connect, Express 4 and Express 5 middleware. Typed structurally (no
// import of express), so the .d.ts works without @types/express.
//
//   app.get('/admin', requireAuth(verify, { scopes: ['admin'] }), (req, res) => res.json(req.auth))

import type { Claims } from '../claims.js';
import type { Verifier } from '../verifier.js';
import { authenticate, readAuthOptions, type AuthOptions } from './authenticate.js';
import { sendAuthError, type NodeRequestLike, type NodeResponseLike } from './node.js';

export type { AuthOptions } from './authenticate.js';
// So that one import line and createVerifier are the whole setup of an app.
export { AuthError } from '../errors.js';
export { createVerifier } from '../verifier.js';

/** The request as the middleware sees it: node's IncomingMessage, plus `auth` once verified. */
export interface ExpressRequestLike extends NodeRequestLike {
  /** The verified token's claims, set before `next()` is called. */
  auth?: Claims<object>;
}

/** A Connect/Express middleware: `(req, res, next)`. */
export type AuthMiddleware<Req extends ExpressRequestLike = ExpressRequestLike> =
  (req: Req, res: NodeResponseLike, next: (error?: unknown) => void) => void;

/**
 * Middleware that lets only authenticated requests through: it verifies the token (with the
 * route's `scopes`), puts the claims on `req.auth` and calls `next()`. A refused request is
 * answered with the AuthError's status, headers and JSON body, or, with `onError: 'next'`,
 * handed to `next(error)` for your error handler. Options are checked now (TypeError).
 */
export function requireAuth<Custom extends object = Record<never, never>, Req extends ExpressRequestLike = ExpressRequestLike>(
  verify: Verifier<Custom>, options?: AuthOptions<Req>,
): AuthMiddleware<Req> {
  const settings = readAuthOptions<Req>('clearjwt/express requireAuth', verify, options);
  // Never returns a promise that could reject: Express 4 would leave it unhandled.
  return (req, res, next) => {
    authenticate(verify, settings, req, req.headersDistinct ?? req.headers).then((claims) => {
      req.auth = claims;
      next();
    }, (error: unknown) => {
      if (settings.respond) sendAuthError(res, error);
      else next(error);
    });
  };
}

declare global {
  // Express's Request merges with this (express-serve-static-core extends Express.Request),
  // so `req.auth` is typed in handlers. Without Express the namespace is inert.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The verified token's claims, set by clearjwt/express `requireAuth`. */
      auth?: Claims<object>;
    }
  }
}

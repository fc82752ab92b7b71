// clearjwt/fastify: an onRequest / preHandler hook. Typed structurally (no import of fastify).
//
//   app.get('/admin', { onRequest: requireAuth(verify, { scopes: ['admin'] }) }, (request) => request.auth)

import type { Claims } from '../claims.js';
import { toAuthError } from '../errors.js';
import type { Verifier } from '../verifier.js';
import { authenticate, readAuthOptions, type AuthOptions } from './authenticate.js';
import type { NodeRequestLike } from './node.js';

export type { AuthOptions } from './authenticate.js';
// So that one import line and createVerifier are the whole setup of an app.
export { AuthError } from '../errors.js';
export { createVerifier } from '../verifier.js';

/** The part of a FastifyRequest the hook reads and writes. */
export interface FastifyRequestLike {
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The node:http request; its `headersDistinct` keeps repeated Authorization headers. */
  readonly raw?: Partial<NodeRequestLike>;
  /** The verified token's claims, set by the hook. */
  auth?: Claims<object>;
}

/** The part of a FastifyReply the hook uses to answer a refused request. */
export interface FastifyReplyLike {
  code(statusCode: number): unknown;
  headers(values: Record<string, string>): unknown;
  send(payload: string): unknown;
}

/** An async Fastify hook: `onRequest` or `preHandler`, per route or for a whole plugin. */
export type AuthHook = (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<FastifyReplyLike | undefined>;

/**
 * A hook that lets only authenticated requests through: it verifies the token (with the
 * route's `scopes`) and puts the claims on `request.auth`. A refused request is answered
 * with the AuthError's status, headers and JSON body, or, with `onError: 'next'`, thrown to
 * Fastify's error handler (`setErrorHandler`). Options are checked now (TypeError).
 */
export function requireAuth<Custom extends object = Record<never, never>, Req extends FastifyRequestLike = FastifyRequestLike>(
  verify: Verifier<Custom>, options?: AuthOptions<Req>,
): AuthHook {
  // Req only types the token getter's argument (e.g. a FastifyRequest with cookies).
  const settings = readAuthOptions<FastifyRequestLike>('clearjwt/fastify requireAuth', verify, options as AuthOptions<FastifyRequestLike> | undefined);
  return async (request, reply) => {
    try {
      request.auth = await authenticate(verify, settings, request, request.raw?.headersDistinct ?? request.headers);
      return undefined;
    } catch (error) {
      if (!settings.respond) throw error;
      const authError = toAuthError(error);
      reply.code(authError.status);
      reply.headers(authError.headers);
      reply.send(JSON.stringify(authError.body));
      return reply; // an async hook that has answered returns the reply (Fastify's hooks guide)
    }
  };
}

// What DPoP needs from the HTTP request: its method, the URL the client addressed, and the
// one DPoP header (RFC 9449 §4.3 steps 1–2). Plain values, so every framework can pass them.

import { readHeaderValues, type HeadersInput } from '../bearer.js';
import { AuthError } from '../errors.js';

export interface DpopRequest {
  /** The request method exactly as received, e.g. `GET`. */
  readonly method: string;
  /**
   * The request target: origin-form (`/path?query`, Node's `req.url`) or absolute. Only the
   * path is used: the origin always comes from the verifier's `publicOrigin`.
   */
  readonly url: string;
  readonly headers: HeadersInput;
}

/** A programming error (not the client's): the request object itself is not usable. */
export function checkRequestShape(request: DpopRequest): void {
  if (typeof request !== 'object' || request === null || typeof request.method !== 'string' || typeof request.url !== 'string'
    || typeof request.headers !== 'object' || request.headers === null) {
    throw new TypeError('dpop: request must be { method: string, url: string, headers }');
  }
}

/** §4.3 step 1: exactly one DPoP header. Its value is checked as a JWS by proof.ts. */
export function readDpopProof(headers: HeadersInput): string {
  const values = readHeaderValues(headers, 'dpop');
  if (values.length === 0) throw new AuthError('auth.dpop_proof_missing');
  const value = values[0];
  // A compact JWS holds no comma, so one means the fetch Headers class joined two fields.
  if (values.length > 1 || (typeof value === 'string' && value.includes(','))) throw new AuthError('auth.dpop_proof_multiple');
  if (typeof value !== 'string') throw new AuthError('auth.dpop_proof_malformed');
  return value;
}

/**
 * The URL the client addressed: the configured public origin and the request's path. An
 * absolute-form target (`GET http://other.example/x`) keeps its path only, so neither it nor
 * a Host header can choose the origin the proof's htu is compared with.
 */
export function requestUrl(request: DpopRequest, publicOrigin: string | undefined): string | undefined {
  const target = request.url;
  if (publicOrigin === undefined) return undefined;
  if (target.startsWith('/')) return `${publicOrigin}${target}`;
  if (!URL.canParse(target)) return undefined;
  const url = new URL(target);
  // A non-http scheme's "path" need not start with "/" (`x:.evil.example/r`): glued to the
  // origin, it would name another host or port.
  if (!url.pathname.startsWith('/')) return undefined;
  return `${publicOrigin}${url.pathname}${url.search}`;
}

// Small node:http helpers for the demo: JSON responses, CORS headers, the error body.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthError } from '../index.js';

export const ALLOWED_METHODS = 'GET, OPTIONS';

/**
 * CORS headers sent on every response, errors included, so browsers can read the error, its
 * challenge and a DPoP nonce (RFC 9449 §8: a client must read DPoP-Nonce to retry).
 */
export function corsHeaders(corsOrigin: string): Record<string, string> {
  const expose = { 'access-control-expose-headers': 'WWW-Authenticate, DPoP-Nonce' };
  // With one configured origin the response differs by origin, so caches must key on it.
  return corsOrigin === '*' ? { 'access-control-allow-origin': '*', ...expose } : { 'access-control-allow-origin': corsOrigin, vary: 'Origin', ...expose };
}

/** The answer to a CORS preflight (Fetch standard, "CORS-preflight request"). */
export function preflightHeaders(): Record<string, string> {
  return {
    'access-control-allow-methods': ALLOWED_METHODS,
    'access-control-allow-headers': 'Content-Type, Authorization, DPoP',
    'access-control-max-age': '600',
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** An AuthError as the response: its status, headers and JSON body, plus the CORS headers. */
export function sendAuthError(res: ServerResponse, authError: AuthError, extraHeaders: Record<string, string>): void {
  sendJson(res, authError.status, authError.body, { ...extraHeaders, ...authError.headers });
}

/** The request path without the query string (which may hold an access_token, RFC 6750 §2.3). */
export function requestPath(req: IncomingMessage): string {
  return (req.url ?? '/').split('?', 1)[0] ?? '/';
}

// Several trusted issuers (`createVerifier({ issuers })`): which issuer's pipeline — its keys
// and its rules — verifies a token. The token names its issuer in `iss`, but that claim is
// read here before any signature is checked, so it is only a question: it may select one of
// the configured issuers, never add one. An `iss` that names none is refused at once, before
// any key is looked up or fetched. The chosen pipeline then verifies the signature with that
// issuer's keys alone and compares `iss` again, as a verified claim (src/claims.ts).

import { AuthError } from './errors.js';
import { own, parseJsonObject } from './json.js';
import { decodeCompactJws, type DecodeOptions } from './jws.js';

/** The configured pipeline the token's unverified `iss` names; auth.jwt_issuer_mismatch when none. */
export function selectIssuer<Pipeline>(token: string, decode: DecodeOptions, byIssuer: ReadonlyMap<string, Pipeline>): Pipeline {
  // The whole JWS stage first: a malformed, oversized or wrongly-signed-alg token gets the
  // same code as with one issuer, and no payload is parsed from a token we would refuse.
  const unverifiedPayload = parseJsonObject(decodeCompactJws(token, decode).payload);
  const unverifiedIssuer = unverifiedPayload === undefined ? undefined : own(unverifiedPayload, 'iss');
  // Map lookup by the exact string: no pattern, no prefix, no normalisation (README "Several issuers").
  const pipeline = typeof unverifiedIssuer === 'string' ? byIssuer.get(unverifiedIssuer) : undefined;
  if (pipeline === undefined) throw new AuthError('auth.jwt_issuer_mismatch');
  return pipeline;
}

// clearjwt's public surface. The verifier is the product; the layers below it are exported
// for auditors and for JWS users who do not want JWT claim checks.

export { AuthError, AUTH_ERROR_CODES, DEFAULT_REALM, isAuthError } from './errors.js';
export type { AuthErrorBody, AuthErrorCode, AuthErrorDetail, AuthErrorOptions, BearerErrorCode, Challenge, DpopErrorCode, JsonType } from './errors.js';

export { SUPPORTED_ALGORITHMS, getAlgorithm } from './algorithms.js';
export type { AlgorithmSpec, JwsAlgorithm } from './algorithms.js';

export { decodeBase64url, encodeBase64url } from './base64url.js';
export { importJwk } from './jwk.js';
export { computeJwkThumbprint } from './jwk-thumbprint.js';
export type { VerificationKey } from './jwk.js';
export { importJwkSet, selectKey } from './jwks.js';
export type { KeySet, SkippedKey } from './jwks.js';
export { decodeCompactJws, DEFAULT_MAX_TOKEN_LENGTH } from './jws.js';
export type { DecodedJws, DecodeOptions, JwsHeader } from './jws.js';
export { verifyCompactJws } from './verify-jws.js';
export type { KeyResolver, VerifiedJws } from './verify-jws.js';

export { createVerifier } from './verifier.js';
export type { Verifier } from './verifier.js';
export { DEFAULT_CLOCK_TOLERANCE } from './options.js';
export type { IssuerOptions, JwksCacheOptions, TokenCacheOptions, VerifierOptions, VerifyCallOptions } from './options.js';
export { extractBearerToken, extractCredentials, readHeaderValues } from './bearer.js';
export type { HeadersInput } from './bearer.js';
export type { Claims, RegisteredClaims } from './claims.js';

export { createStaticKeySource } from './key-source.js';
export type { KeySource, KeySourceSnapshot } from './key-source.js';
export { createRemoteKeySource } from './remote/jwks-cache.js';
export type { FetchReason, RemoteKeyEvent, RemoteKeySourceOptions, SuppressedReason } from './remote/jwks-cache.js';

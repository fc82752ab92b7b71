// createDpopVerifier: a leaf around the core verifier. It reads the Authorization scheme,
// verifies the access token with the core (`verify.token`), then the DPoP proof and the
// token's binding to the proof's key (RFC 9449 §4.3, §7), and records the proof against
// replay (§11.1). The core never imports this file.

import { createHash } from 'node:crypto';
import { extractCredentials } from '../bearer.js';
import type { Claims } from '../claims.js';
import { AuthError, toAuthError, type Challenge } from '../errors.js';
import { isPlainObject, own } from '../json.js';
import { readCallOptions, type VerifyCallOptions } from '../options.js';
import { equalStrings } from './equal-strings.js';
import { readDpopOptions, type DpopSettings, type DpopVerifierOptions } from './options.js';
import { verifyDpopProof, type CheckedProof } from './proof.js';
import { checkRequestShape, readDpopProof, requestUrl, type DpopRequest } from './request.js';

/** What the leaf needs from the core verifier: its checks on a token string. */
export interface TokenVerifier<Custom extends object> {
  token(token: string, options?: VerifyCallOptions): Promise<Claims<Custom>>;
}

export interface DpopVerifier<Custom extends object = Record<never, never>> {
  (request: DpopRequest, options?: VerifyCallOptions): Promise<Claims<Custom>>;
  /**
   * Headers for every response of a protected route: `dpop-nonce` when nonces are on (§8.2,
   * §9), else `{}`. Errors from the verifier already carry them in `AuthError.headers`.
   */
  responseHeaders(): Record<string, string>;
}

// A replayed proof is caught by any process that shares the store while its iat is in the
// window; a second more covers clocks of different processes that disagree slightly.
const REPLAY_MARGIN_MS = 1000;

export function createDpopVerifier<Custom extends object = Record<never, never>>(
  verify: TokenVerifier<Custom>, options: DpopVerifierOptions,
): DpopVerifier<Custom> {
  if (typeof verify?.token !== 'function') throw new TypeError('createDpopVerifier: the first argument must be a verifier from createVerifier');
  const settings = readDpopOptions(options);

  async function verifyRequest(request: DpopRequest, callOptions?: VerifyCallOptions): Promise<Claims<Custom>> {
    checkRequestShape(request);
    readCallOptions(callOptions); // a TypeError: the caller's bug, before any request data is read
    let scheme: string | undefined;
    try {
      const credentials = extractCredentials(request.headers, ['bearer', 'dpop']);
      scheme = credentials.scheme;
      if (scheme === 'dpop') return await verifyDpop(verify, settings, request, credentials.token, callOptions);
      if (settings.mode === 'required') throw new AuthError('auth.dpop_scheme_required');
      // §7.2 and §6.1: a token bound to a key is only ever good with a proof of that key.
      const claims = await verify.token(credentials.token, callOptions);
      // Any confirmation method (RFC 7800 §3.1: cnf.jkt, RFC 8705's x5t#S256, …), even one we
      // cannot check, means the issuer bound the token to a key: not usable as a bare Bearer.
      if (own(claims, 'cnf') !== undefined) throw new AuthError('auth.dpop_bound_token_as_bearer');
      return claims;
    } catch (error) {
      throw withChallenges(error, scheme, settings, responseHeaders());
    }
  }
  const { nonces } = settings;
  const responseHeaders = (): Record<string, string> => (nonces === undefined ? {} : { 'dpop-nonce': nonces.current() });
  return Object.assign(verifyRequest, { responseHeaders });
}

// `Authorization: DPoP <token>`: the token, then the proof (§4.3), then their binding. The
// token comes first so that the proof's work (importing a key the client chose, a second
// signature) is done only for a client holding a valid token.
async function verifyDpop<Custom extends object>(
  verify: TokenVerifier<Custom>, settings: DpopSettings, request: DpopRequest, accessToken: string, callOptions: VerifyCallOptions | undefined,
): Promise<Claims<Custom>> {
  const proof = readDpopProof(request.headers);
  const claims = await verify.token(accessToken, callOptions);
  const nowMs = settings.now();
  // A clock that returns NaN would pass the iat window and make the replay TTL NaN.
  if (!Number.isFinite(nowMs)) throw new AuthError('auth.verification_failed');
  const url = requestUrl(request, settings.publicOrigin(request));
  if (url === undefined) throw new AuthError('auth.dpop_proof_htu_mismatch');
  const checked = await verifyDpopProof(proof, { method: request.method, url, accessToken }, settings.rules, nowMs / 1000);
  // §4.3 step 10, §9: once nonces are on, a proof must carry a current one.
  const { nonces } = settings;
  if (nonces !== undefined && (checked.nonce === undefined || !nonces.accepts(checked.nonce))) {
    throw new AuthError('auth.dpop_nonce_required');
  }
  // §4.3 step 12 / §6.1: the token names the proof's key by its RFC 7638 thumbprint.
  const jkt = boundThumbprint(claims);
  if (typeof jkt !== 'string') throw new AuthError('auth.dpop_token_not_bound');
  if (!equalStrings(jkt, checked.jkt)) throw new AuthError('auth.dpop_key_binding_mismatch');
  // Last, so that only proofs of accepted requests take room in the store.
  await rememberProof(checked, nowMs, settings);
  return claims;
}

// RFC 7800 §3.1 `cnf`, RFC 9449 §6.1 `jkt`: undefined when the token is not key-bound.
function boundThumbprint(claims: Claims): unknown {
  const cnf = own(claims, 'cnf');
  return isPlainObject(cnf) ? own(cnf, 'jkt') : undefined;
}

// §11.1: a jti is accepted once per htu while its proof could still be accepted. The key
// is a hash, so its size does not depend on the client's jti.
async function rememberProof(checked: CheckedProof, nowMs: number, settings: DpopSettings): Promise<void> {
  const { iatWindowSeconds, clockTolerance } = settings.rules;
  const acceptableUntilMs = (checked.iat + iatWindowSeconds + clockTolerance) * 1000;
  const ttlMs = Math.max(1, Math.ceil(acceptableUntilMs - nowMs)) + REPLAY_MARGIN_MS;
  const key = createHash('sha256').update(JSON.stringify([checked.htu, checked.jti])).digest('base64url');
  let isNew: unknown;
  let timer: NodeJS.Timeout | undefined;
  try {
    // A store that hangs must not hang the request: past the deadline it counts as down.
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('replay store timed out')), settings.replayStoreTimeoutMs);
    });
    isNew = await Promise.race([settings.replayStore.rememberIfNew(key, ttlMs), deadline]);
  } catch (cause) {
    throw new AuthError('auth.dpop_replay_store_unavailable', { cause });
  } finally {
    clearTimeout(timer);
  }
  if (isNew === false) throw new AuthError('auth.dpop_proof_replayed');
  // Anything but a boolean means the store is broken: fail closed.
  if (isNew !== true) throw new AuthError('auth.dpop_replay_store_unavailable');
}

// RFC 9449 §7.1: the DPoP challenge names the accepted algs; §7.2: with both schemes on,
// both are offered, the one the request used first, carrying the error. §9: with nonces on,
// every refusal names the current nonce, so the client's next proof can carry it.
function withChallenges(error: unknown, scheme: string | undefined, settings: DpopSettings, extraHeaders: Record<string, string>): AuthError {
  const { code, requiredScopes, cause, retryAfter, detail, resourceMetadata } = toAuthError(error);
  const dpop: Challenge = { scheme: 'DPoP', params: { algs: [...settings.rules.algorithms].join(' ') } };
  const bearer: Challenge = { scheme: 'Bearer' };
  const challenges = settings.mode === 'required' ? [dpop] : scheme === 'dpop' ? [dpop, bearer] : [bearer, dpop];
  // The core's detail and RFC 9728 resource_metadata (set by its resourceMetadata option) carry over.
  return new AuthError(code, { requiredScopes, realm: settings.realm, cause: cause ?? error, retryAfter, challenges, extraHeaders, detail, resourceMetadata });
}

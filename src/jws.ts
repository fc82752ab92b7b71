// A compact JWS string (RFC 7515 §7.1) → its decoded parts, with the protected header
// checked against rules that fail closed. Nothing here looks at keys or the payload's meaning.

import { getAlgorithm, SUPPORTED_ALGORITHMS, type AlgorithmSpec, type JwsAlgorithm } from './algorithms.js';
import { decodeCanonicalBase64url } from './base64url.js';
import { AuthError } from './errors.js';
import { jsonType, own, parseJsonObject } from './json.js';

export interface JwsHeader {
  readonly alg: JwsAlgorithm;
  readonly kid?: string;
  readonly typ?: string;
  readonly [parameter: string]: unknown;
}

export interface DecodedJws {
  readonly header: JwsHeader;
  readonly algorithm: AlgorithmSpec;
  /** The payload bytes exactly as signed; JWS does not say they are JSON. */
  readonly payload: Buffer;
  /** ASCII(BASE64URL(header) ‖ '.' ‖ BASE64URL(payload)): what the signature covers (RFC 7515 §5.2). */
  readonly signingInput: Buffer;
  readonly signature: Buffer;
}

export interface DecodeOptions {
  /** Longest token accepted, in characters; longer ones are refused before any parsing. */
  readonly maxTokenLength?: number;
  /** The algorithms the caller accepts; default: every supported one. */
  readonly algorithms?: ReadonlySet<JwsAlgorithm>;
}

/** 16 KiB: far above any real access token, far below what would cost us memory or time. */
export const DEFAULT_MAX_TOKEN_LENGTH = 16 * 1024;

export function decodeCompactJws(token: string, options: DecodeOptions = {}): DecodedJws {
  if (typeof token !== 'string') throw new AuthError('auth.jws_malformed', { detail: { check: 'segments', segments: 0 } });
  const maxTokenLength = options.maxTokenLength ?? DEFAULT_MAX_TOKEN_LENGTH;
  if (token.length > maxTokenLength) throw new AuthError('auth.token_too_large', { detail: { check: 'size', length: token.length, maxTokenLength } });

  const firstDot = token.indexOf('.');
  const secondDot = firstDot === -1 ? -1 : token.indexOf('.', firstDot + 1);
  if (secondDot === -1 || token.indexOf('.', secondDot + 1) !== -1) throw segmentCountError(token);
  if (firstDot === 0) throw new AuthError('auth.jws_malformed', { detail: { check: 'segments', segments: 3, empty: 'header' } });

  // The header gets no prototype, so a member it lacks (`kid`, `typ`) reads as undefined even
  // if Object.prototype has been polluted elsewhere in the process.
  const header = parseJsonObject(decodeSegment(token.slice(0, firstDot), 'header'));
  if (header === undefined) throw new AuthError('auth.jws_header_invalid', { detail: { check: 'header', expected: 'JSON object' } });
  Object.setPrototypeOf(header, null);
  const algorithm = checkHeader(header, options.algorithms);
  const payload = decodeSegment(token.slice(firstDot + 1, secondDot), 'payload');
  if (secondDot === token.length - 1) throw new AuthError('auth.jws_malformed', { detail: { check: 'segments', segments: 3, empty: 'signature' } });
  const signature = decodeSegment(token.slice(secondDot + 1), 'signature');
  // The segments are base64url, so the signing input is ASCII: its latin1 bytes are the bytes signed.
  const signingInput = Buffer.from(token.slice(0, secondDot), 'latin1');
  return { header: header as unknown as JwsHeader, algorithm, payload, signingInput, signature };
}

// RFC 7516 §9: a compact JWE has five segments; say so rather than "malformed".
function segmentCountError(token: string): AuthError {
  const segments = token.split('.').length;
  return new AuthError(segments === 5 ? 'auth.jwe_not_supported' : 'auth.jws_malformed', { detail: { check: 'segments', segments } });
}

function decodeSegment(text: string, segment: 'header' | 'payload' | 'signature'): Buffer {
  const bytes = decodeCanonicalBase64url(text);
  if (bytes === undefined) throw new AuthError('auth.base64url_invalid', { detail: { check: 'base64url', segment } });
  return bytes;
}

const STRING_MEMBERS = ['kid', 'typ', 'cty'] as const;

// The order is part of the contract (tests pin it): algorithm, then extensions, then the
// remaining member types.
function checkHeader(header: Record<string, unknown>, allowed: ReadonlySet<JwsAlgorithm> | undefined): AlgorithmSpec {
  // RFC 7515 §4.1.1: alg is required. RFC 8725 §3.1: the verifier, not the token, decides
  // which algorithms are acceptable; `none` and HS* are not in our table at all.
  const alg = own(header, 'alg');
  if (typeof alg !== 'string') throw new AuthError('auth.jws_header_invalid', { detail: { check: 'header', member: 'alg', expected: 'string', found: jsonType(alg) } });
  const algorithm = getAlgorithm(alg);
  if (algorithm === undefined || (allowed !== undefined && !allowed.has(algorithm.name))) {
    throw new AuthError('auth.jws_alg_not_allowed', { detail: { check: 'alg', alg, allowed: [...(allowed ?? SUPPORTED_ALGORITHMS)] } });
  }
  // RFC 7515 §4.1.11: a recipient that does not understand a listed extension must reject
  // the JWS. We understand none, so any `crit` (even a malformed or empty one) is refused.
  if (Object.hasOwn(header, 'crit')) throw new AuthError('auth.jws_crit_unsupported', { detail: { check: 'crit' } });
  // RFC 7797 §3: b64=false changes what is signed; we only verify the standard form.
  if (Object.hasOwn(header, 'b64') && header['b64'] !== true) {
    throw new AuthError('auth.jws_b64_unsupported', { detail: { check: 'b64', found: jsonType(header['b64']) } });
  }
  // RFC 7515 §4.1.4, §4.1.9, §4.1.10: kid, typ and cty are strings when present. The
  // key-carrying parameters jku, jwk, x5u, x5c (§4.1.2–4.1.6) are deliberately never read: they
  // come from the token's author, so trusting them would let anyone sign with their own key.
  for (const member of STRING_MEMBERS) {
    if (Object.hasOwn(header, member) && typeof header[member] !== 'string') {
      throw new AuthError('auth.jws_header_invalid', { detail: { check: 'header', member, expected: 'string', found: jsonType(header[member]) } });
    }
  }
  return algorithm;
}

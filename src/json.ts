// JSON objects from bytes, and reading their members: shared by the JWS header, the JWT claims
// set, JWKs and the fetched discovery and JWK Set documents.

import type { JsonType } from './errors.js';

// Fatal: bytes that are not valid UTF-8 (RFC 7515 §5.2 step 3, RFC 8259 §8.1) are refused
// instead of being patched with U+FFFD.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Bytes → a JSON object, or `undefined` if they are not UTF-8 JSON holding an object. */
export function parseJsonObject(bytes: Uint8Array): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(utf8.decode(bytes));
    return isPlainObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An object's own member, never an inherited one. Every security-relevant member of parsed
 * JSON is read through this, so that a polluted Object.prototype (a bug elsewhere in the
 * process) cannot supply a missing `exp`, `aud`, `scope` or `alg`.
 */
export function own(object: object, name: string): unknown {
  return Object.hasOwn(object, name) ? (object as Record<string, unknown>)[name] : undefined;
}

/** A JSON value's type as a word (`array`, `null`, …): what error details say instead of the value. */
export function jsonType(value: unknown): JsonType {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value as JsonType;
}

// Comparing a value the client sent with the one we expect, in time that does not depend on
// where they differ (ath is derived from the access token; nonces and thumbprints are not
// secret, but one comparison for all of them is one less thing to reason about).

import { timingSafeEqual } from 'node:crypto';

/** Constant-time string equality; only the lengths, which are not secret, can end it early. */
export function equalStrings(received: string, expected: string): boolean {
  const a = Buffer.from(received, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

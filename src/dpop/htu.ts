// The `htu` comparison (RFC 9449 §4.3 step 9): the proof's htu and the request's URL, both
// without query and fragment, each normalised by RFC 3986 §6.2.2 (syntax) and §6.2.3
// (scheme), then compared as strings. The same function normalises both sides.

// The WHATWG URL parser (Node's URL) already does part of RFC 3986 §6.2.2–§6.2.3: lower-case
// scheme and host (§6.2.2.1), dot segments removed, `%2E` included (§6.2.2.3), default port
// dropped and an empty path made "/" (§6.2.3). What it leaves is percent-encoding
// normalisation (§6.2.2.2): upper-case hex digits, and unreserved characters decoded.

// RFC 3986 §2.3: unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

// An htu is a URI: printable ASCII without spaces (RFC 3986 §2). A backslash is not a URI
// character, though the WHATWG parser would read it as "/"; we refuse rather than reinterpret.
const URI_CHARACTERS = /^[\x21-\x5b\x5d-\x7e]+$/;

/** The normal form of an http(s) URL without query and fragment, or undefined if it is not one. */
export function normalizeHtu(text: string): string | undefined {
  // RFC 9449 §4.2: htu is "without query and fragment parts"; §4.3 step 9 ignores them.
  const withoutQuery = text.split(/[?#]/, 1)[0]!;
  if (!URI_CHARACTERS.test(withoutQuery) || !URL.canParse(withoutQuery)) return undefined;
  const url = new URL(withoutQuery);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  // Userinfo is deprecated in http(s) URIs (RFC 9110 §4.2.4) and never part of a request target.
  if (url.username !== '' || url.password !== '') return undefined;
  const path = url.pathname.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => {
    const character = String.fromCharCode(Number.parseInt(hex, 16));
    return UNRESERVED.test(character) ? character : `%${hex.toUpperCase()}`;
  });
  return `${url.protocol}//${url.host}${path}`;
}

/** RFC 9449 §4.3 step 9: true when the proof's htu names the request's URL. */
export function htuMatches(htu: string, requestUrl: string): boolean {
  const expected = normalizeHtu(requestUrl);
  return expected !== undefined && normalizeHtu(htu) === expected;
}

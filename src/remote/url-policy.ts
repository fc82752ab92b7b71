// Which URLs we fetch keys from: https, or plain http to this machine only.
//
// The key set decides which tokens are genuine, so it must come over an authenticated
// channel (RFC 8414 §3 and OIDC Discovery §4 require TLS; RFC 7517 §9.3 on key integrity).
// Plain http is allowed only to a loopback host, where no network sits between the two
// ends: for local development and tests. The check runs on the URL as parsed by WHATWG URL,
// which has already normalised IPv4 spellings (`127.1`, `0x7f.0.0.1` → `127.0.0.1`).

const LOOPBACK_IPV4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/; // 127.0.0.0/8 (RFC 1122 §3.2.1.3)

export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || LOOPBACK_IPV4.test(hostname);
}

/**
 * `value` as a URL we may fetch keys or discovery from, or `undefined` when it is not one:
 * not a URL, not https (nor http to loopback), or carrying user:password, which would be
 * sent to the server and written to logs.
 */
export function parseKeyUrl(value: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.username !== '' || url.password !== '') return undefined;
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  return undefined;
}

/**
 * The `jwks_uri` of a discovery document fetched from `documentUrl`, as a URL we may fetch,
 * or `undefined`. Beyond parseKeyUrl: plain http only when the document itself came over
 * plain http (a loopback issuer, in development). An https issuer has promised TLS; its
 * document must not downgrade the keys to plain http, nor point us at a local port.
 */
export function parseDiscoveredKeyUrl(value: string, documentUrl: URL): URL | undefined {
  const url = parseKeyUrl(value);
  if (url === undefined || (url.protocol === 'http:' && documentUrl.protocol !== 'http:')) return undefined;
  return url;
}

// OAuth 2.0 Protected Resource Metadata (RFC 9728), as a leaf: the JSON document a client (an
// MCP client, say) fetches to learn which authorization servers issue tokens for this API and
// how to present them, and the URL it is served at. The core only names that URL in its 401
// challenges (`createVerifier({ resourceMetadata })`, RFC 9728 §5.1); it never imports this.

import type { IssuerOptions, VerifierOptions } from './options.js';
import { parseKeyUrl } from './remote/url-policy.js';

/** RFC 9728 §2's members we publish. Names are the RFC's, so the document is this object. */
export interface ResourceMetadataOptions {
  /** REQUIRED. The protected resource's identifier: an https URL without fragment (§1.2). */
  readonly resource: string;
  /** Issuers of tokens for this resource (RFC 8414 issuer identifiers). Default: the verifier's issuers. */
  readonly authorization_servers?: readonly string[];
  /** RECOMMENDED. The scopes a request to this resource may need. */
  readonly scopes_supported?: readonly string[];
  /** How a token may be presented (RFC 6750 §2): default ["header"], the one clearjwt reads. */
  readonly bearer_methods_supported?: readonly ('header' | 'body' | 'query')[];
  /** RECOMMENDED. A name for people. */
  readonly resource_name?: string;
  /** Where developers read about this resource. */
  readonly resource_documentation?: string;
  readonly resource_policy_uri?: string;
  readonly resource_tos_uri?: string;
}

export interface ResourceMetadata {
  /** The document, with its defaults filled in; serve it as JSON with status 200 (§3.2). */
  readonly document: Readonly<Record<string, unknown>>;
  /** Where it is served (§3.1): pass it to `createVerifier({ resourceMetadata })`. */
  readonly url: string;
  /** The path part of `url`, for a router: `/.well-known/oauth-protected-resource[/<resource path>]`. */
  readonly path: string;
}

/** RFC 9728 §3: the well-known URI suffix registered for this metadata. */
export const WELL_KNOWN_SUFFIX = 'oauth-protected-resource';

/**
 * RFC 9728 §3.1: the metadata URL of a resource identifier. The well-known path goes between
 * the host and the resource's own path, after dropping a terminating "/":
 * `https://api.example.com/mcp` → `https://api.example.com/.well-known/oauth-protected-resource/mcp`.
 */
export function resourceMetadataUrl(resource: string): string {
  const url = resourceUrl(resource, 'resource');
  const resourcePath = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}/.well-known/${WELL_KNOWN_SUFFIX}${resourcePath}`;
}

/** The document and its URL; a TypeError naming the first bad or unknown member. */
export function createResourceMetadata(
  options: ResourceMetadataOptions, verifierOptions?: Pick<VerifierOptions, 'issuer' | 'issuers'>,
): ResourceMetadata {
  if (typeof options !== 'object' || options === null) throw metadataError('options must be an object');
  for (const name of Object.keys(options)) {
    if (!Object.hasOwn(MEMBER_READERS, name)) throw metadataError(`unknown member ${JSON.stringify(name)}`);
  }
  const document: Record<string, unknown> = {};
  for (const [name, read] of Object.entries(MEMBER_READERS)) {
    const value = read((options as unknown as Record<string, unknown>)[name], name, verifierOptions);
    if (value !== undefined) document[name] = value;
  }
  const url = resourceMetadataUrl(options.resource);
  return Object.freeze({ document: deepFreeze(document), url, path: new URL(url).pathname });
}

type MemberReader = (value: unknown, name: string, verifierOptions: Pick<VerifierOptions, 'issuer' | 'issuers'> | undefined) => unknown;

// In RFC 9728 §2's order. §3.3: `resource` must be exactly the identifier the URL was made
// from, so it is published as given.
const MEMBER_READERS: Readonly<Record<keyof ResourceMetadataOptions, MemberReader>> = {
  resource: (value, name) => { resourceUrl(value, name); return value; },
  authorization_servers: (value, name, verifierOptions) => value === undefined ? configuredIssuers(verifierOptions) : urlList(value, name),
  scopes_supported: (value, name) => value === undefined ? undefined : scopeList(value, name),
  bearer_methods_supported: (value, name) => value === undefined ? ['header'] : methodList(value, name),
  resource_name: (value, name) => value === undefined ? undefined : text(value, name),
  resource_documentation: (value, name) => value === undefined ? undefined : resourceUrl(value, name).href,
  resource_policy_uri: (value, name) => value === undefined ? undefined : resourceUrl(value, name).href,
  resource_tos_uri: (value, name) => value === undefined ? undefined : resourceUrl(value, name).href,
};

function configuredIssuers(verifierOptions: Pick<VerifierOptions, 'issuer' | 'issuers'> | undefined): string[] | undefined {
  const issuers = verifierOptions?.issuers?.map((entry: IssuerOptions) => entry.issuer) ?? [verifierOptions?.issuer];
  const known = issuers.filter((issuer): issuer is string => typeof issuer === 'string');
  return known.length === 0 ? undefined : known;
}

// §1.2: https, no fragment; plain http only to this machine (development). A query is refused
// too: §1.2 discourages it, and §3.1 would have to carry it into the well-known URL.
function resourceUrl(value: unknown, name: string): URL {
  const url = typeof value === 'string' ? parseKeyUrl(value) : undefined;
  if (url === undefined || url.hash !== '' || url.search !== '' || (value as string).includes('#')) {
    throw metadataError(`${name} must be an https URL (http only to loopback) without query or fragment`);
  }
  return url;
}

function urlList(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || value.length === 0) throw metadataError(`${name} must be a non-empty array of URLs`);
  return value.map((item, index) => { resourceUrl(item, `${name}[${index}]`); return item as string; });
}

// RFC 6749 §3.3 scope-token.
function scopeList(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || !value.every((scope) => typeof scope === 'string' && /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope))) {
    throw metadataError(`${name} must be an array of scope tokens`);
  }
  return [...value];
}

function methodList(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || !value.every((method) => method === 'header' || method === 'body' || method === 'query')) {
    throw metadataError(`${name} must be an array of "header", "body", "query"`);
  }
  return [...new Set(value as string[])];
}

function text(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw metadataError(`${name} must be a non-empty string`);
  return value;
}

function metadataError(message: string): TypeError {
  return new TypeError(`clearjwt: resource metadata: ${message}`);
}

function deepFreeze<T extends object>(value: T): Readonly<T> {
  for (const member of Object.values(value)) if (typeof member === 'object' && member !== null) Object.freeze(member);
  return Object.freeze(value);
}

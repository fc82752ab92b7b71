// The demo's environment variables → a checked configuration. A bad value is a ConfigError
// that names the variable, so the server can fail at boot with one readable line.

export interface DemoConfig {
  /** The OpenID Provider; undefined starts the built-in local issuer. */
  readonly issuer: string | undefined;
  readonly audience: string;
  /** Skip discovery and fetch keys from here. */
  readonly jwksUri: string | undefined;
  readonly port: number;
  readonly host: string;
  /** `*` or one origin, e.g. http://localhost:5173. */
  readonly corsOrigin: string;
  /** Scopes every authenticated route requires. */
  readonly requiredScopes: readonly string[];
  /** DPoP (RFC 9449) on the protected routes: off (Bearer only), allowed, or required. */
  readonly dpop: 'off' | 'allowed' | 'required';
}

export const LOCAL_AUDIENCE = 'https://api.example.com';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig(env: Readonly<Record<string, string | undefined>>): DemoConfig {
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const issuer = optionalUrl(read('ISSUER'), 'ISSUER');
  const jwksUri = optionalUrl(read('JWKS_URI'), 'JWKS_URI');
  const audience = read('AUDIENCE');
  if (issuer !== undefined && audience === undefined) {
    throw new ConfigError('AUDIENCE is required with ISSUER: set it to your API resource indicator, e.g. AUDIENCE=https://api.example.com');
  }
  if (issuer === undefined && jwksUri !== undefined) {
    throw new ConfigError('JWKS_URI needs ISSUER: tokens are checked against the issuer that the keys belong to');
  }
  return {
    issuer,
    audience: audience ?? LOCAL_AUDIENCE,
    jwksUri,
    port: port(read('PORT')),
    host: read('HOST') ?? '127.0.0.1',
    corsOrigin: corsOrigin(read('CORS_ORIGIN')),
    requiredScopes: scopes(read('REQUIRED_SCOPES')),
    dpop: dpopMode(read('DPOP')),
  };
}

function optionalUrl(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (!URL.canParse(value)) throw new ConfigError(`${name} must be an absolute URL (got ${JSON.stringify(value)})`);
  return value;
}

function port(value: string | undefined): number {
  if (value === undefined) return 3000;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number > 65535) throw new ConfigError(`PORT must be an integer from 0 to 65535 (got ${JSON.stringify(value)})`);
  return number;
}

function corsOrigin(value: string | undefined): string {
  if (value === undefined || value === '*') return '*';
  // An origin is scheme://host[:port], nothing more (RFC 6454 §6.1).
  if (!URL.canParse(value) || new URL(value).origin !== value) {
    throw new ConfigError(`CORS_ORIGIN must be * or an origin such as http://localhost:5173 (got ${JSON.stringify(value)})`);
  }
  return value;
}

function scopes(value: string | undefined): string[] {
  if (value === undefined) return [];
  const list = value.split(/[\s,]+/).filter((item) => item !== '');
  // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
  const bad = list.find((item) => !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(item));
  if (bad !== undefined) throw new ConfigError(`REQUIRED_SCOPES holds an invalid scope ${JSON.stringify(bad)}`);
  return list;
}

function dpopMode(value: string | undefined): DemoConfig['dpop'] {
  if (value === undefined) return 'off';
  if (value !== 'off' && value !== 'allowed' && value !== 'required') {
    throw new ConfigError(`DPOP must be off, allowed or required (got ${JSON.stringify(value)})`);
  }
  return value;
}

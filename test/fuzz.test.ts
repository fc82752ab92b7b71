import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthError, type AuthErrorCode } from '../src/errors.js';
import { createVerifier } from '../src/verifier.js';
import { fixturePath, loadManifest, readJson } from './support/vectors.js';

// Bad input of any kind must end as an AuthError with a known code: never a crash, a
// TypeError, a hang, or an accept. Mutations of real openssl-signed tokens, from a seeded
// generator so a failure can be replayed.
const manifest = loadManifest() as ReturnType<typeof loadManifest> & { now: number; issuer: string; audience: string };
const verify = createVerifier({
  issuer: manifest.issuer, audience: manifest.audience, jwks: readJson(fixturePath('jwks.json')), now: () => manifest.now * 1000,
});
const VALID = manifest.cases.filter((item) => item.expect === 'valid' && (item.jwks === 'jwks.json')).map((item) => item.token);
// What a mangled token may be refused with: the bearer, JWS and key stages. A claims code would
// mean a mutated token passed its signature check, and auth.verification_failed an exception
// we did not foresee: both fail the test, as would a 403 or a 503.
const TOKEN_STAGE_CODES: ReadonlySet<AuthErrorCode> = new Set<AuthErrorCode>([
  'auth.authorization_token_invalid_format', 'auth.jws_malformed', 'auth.jwe_not_supported', 'auth.base64url_invalid',
  'auth.jws_header_invalid', 'auth.jws_alg_not_allowed', 'auth.jws_crit_unsupported', 'auth.jws_b64_unsupported',
  'auth.jws_signature_invalid', 'auth.jwk_alg_mismatch', 'auth.jwks_key_not_found',
]);
// Arbitrary header values and shapes may also end at the header stage.
const HEADER_STAGE_CODES: ReadonlySet<AuthErrorCode> = new Set<AuthErrorCode>([
  ...TOKEN_STAGE_CODES, 'auth.authorization_header_missing', 'auth.authorization_token_type_not_supported',
]);
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ~"\\\u00e9\u0000';

function xorshift(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    return state / 2 ** 32;
  };
}

type Mutation = (token: string, random: () => number) => string;
const pick = <T>(items: readonly T[], random: () => number): T => items[Math.floor(random() * items.length)]!;
const at = (token: string, random: () => number) => Math.floor(random() * token.length);

const MUTATIONS: Record<string, Mutation> = {
  'replace a character': (token, random) => {
    const index = at(token, random);
    return token.slice(0, index) + pick([...ALPHABET], random) + token.slice(index + 1);
  },
  'insert a character': (token, random) => {
    const index = at(token, random);
    return token.slice(0, index) + pick([...ALPHABET], random) + token.slice(index);
  },
  'delete a run': (token, random) => {
    const index = at(token, random);
    return token.slice(0, index) + token.slice(index + 1 + Math.floor(random() * 8));
  },
  'truncate': (token, random) => token.slice(0, at(token, random)),
  'swap two segments': (token, random) => {
    const parts = token.split('.');
    const [a, b] = [Math.floor(random() * 3), Math.floor(random() * 3)];
    [parts[a], parts[b]] = [parts[b]!, parts[a]!];
    return parts.join('.');
  },
  'splice segments of two tokens': (token, random) => {
    const other = pick(VALID, random).split('.');
    const parts = token.split('.');
    const index = Math.floor(random() * 3);
    parts[index] = other[index]!;
    return parts.join('.');
  },
  'flip one bit of a decoded segment': (token, random) => {
    const parts = token.split('.');
    const index = Math.floor(random() * 3);
    const bytes = Buffer.from(parts[index]!, 'base64url');
    if (bytes.length === 0) return token;
    bytes[Math.floor(random() * bytes.length)]! ^= 1 << Math.floor(random() * 8);
    parts[index] = bytes.toString('base64url');
    return parts.join('.');
  },
  'random bytes as a segment': (token, random) => {
    const parts = token.split('.');
    parts[Math.floor(random() * 3)] = Buffer.from(Array.from({ length: Math.floor(random() * 64) }, () => Math.floor(random() * 256))).toString('base64url');
    return parts.join('.');
  },
};

test('fuzz: 4,000 mutated tokens all end as an AuthError of the bearer, JWS or key stage (seeded, replayable)', async () => {
  const random = xorshift(0xc1ea7);
  const names = Object.keys(MUTATIONS);
  let refused = 0;
  for (let round = 0; round < 4000; round++) {
    const original = pick(VALID, random);
    const name = pick(names, random);
    const mutated = MUTATIONS[name]!(original, random);
    if (VALID.includes(mutated)) continue; // a mutation that changed nothing, or made another valid token
    const outcome = await verify({ authorization: `Bearer ${mutated}` }).then(
      () => 'accepted',
      (error: unknown) => error,
    );
    assert.ok(outcome instanceof AuthError, `round ${round} (${name}): ${String(outcome)} for ${JSON.stringify(mutated)}`);
    assert.ok(TOKEN_STAGE_CODES.has(outcome.code), `round ${round} (${name}): ${outcome.code} for ${JSON.stringify(mutated)}`);
    refused++;
  }
  assert.ok(refused > 3500, `only ${refused} mutations were tried`);
});

test('fuzz: arbitrary Authorization values and header shapes never throw anything but an AuthError', async () => {
  const random = xorshift(0x5eed);
  const shapes: Array<(value: string) => unknown> = [
    (value) => ({ authorization: value }),
    (value) => ({ Authorization: [value] }),
    (value) => ({ authorization: [value, value] }),
    (value) => new Headers({ authorization: value.replace(/[\u0000\r\n]/g, '') }),
    (value) => new Map([['authorization', value]]),
    (value) => value,
    () => 42,
  ];
  for (let round = 0; round < 2000; round++) {
    const length = Math.floor(random() * 40);
    const value = Array.from({ length }, () => pick([...ALPHABET], random)).join('');
    const headers = pick(shapes, random)(pick(['Bearer ', 'bearer ', 'Basic ', ''], random) + value);
    const outcome = await verify(headers as Record<string, string>).then(() => 'accepted', (error: unknown) => error);
    assert.ok(outcome instanceof AuthError, `round ${round}: ${String(outcome)}`);
    assert.ok(HEADER_STAGE_CODES.has(outcome.code), `round ${round}: ${outcome.code}`);
  }
});

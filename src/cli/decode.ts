// `clearjwt decode <token | ->`: the header and payload of a compact JWS, shown but NOT
// verified. It reads the token exactly as the verifier's first stages do (decodeCompactJws:
// size, three segments, strict base64url, header rules), so input the verifier would refuse
// as "not a JWS" is refused here with the same code.

import { parseArgs } from 'node:util';
import { AuthError, decodeCompactJws } from '../index.js';
import { parsedOrUsage, parseNow, readTokenArgument } from './args.js';
import { paintFor, showMembers, showTime, TIME_CLAIMS, type ShownTime } from './format.js';

export const DECODE_USAGE = 'usage: clearjwt decode <token | -> [--json] [--now <seconds | ISO date>]';

export const DECODE_HELP = `${DECODE_USAGE}

Shows a token's header and payload, with exp, nbf, iat and auth_time also as dates.
Nothing is verified: not the signature, not a single claim. Use \`clearjwt verify\` for that.
  -             read the token from standard input
  --json        one JSON object: { verified: false, header, payload, signatureBytes, times }
  --now <t>     the time "in 5 min" / "3 h ago" are measured from (default: now)
Exit: 0 decoded, 1 not a JWS (the AuthError code is printed), 2 usage.`;

const DECODE_OPTIONS = { json: { type: 'boolean' }, now: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const;

export async function decodeCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parsedOrUsage(
    () => parseArgs({ args: [...args], options: DECODE_OPTIONS, strict: true, allowPositionals: true }), DECODE_USAGE);
  if (values.help === true) {
    process.stdout.write(`${DECODE_HELP}\n`);
    return 0;
  }
  const nowSeconds = (parseNow(values.now, DECODE_USAGE) ?? Date.now()) / 1000;
  const token = await readTokenArgument(positionals, DECODE_USAGE);

  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;
  let signatureBytes: number;
  try {
    const decoded = decodeCompactJws(token);
    header = { ...decoded.header };
    payload = parsePayload(decoded.payload);
    signatureBytes = decoded.signature.length;
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    process.stderr.write(`clearjwt decode: refused: ${error.code}: ${error.message}\n`);
    return 1;
  }

  if (values.json === true) {
    const times: Record<string, ShownTime> = {};
    for (const name of TIME_CLAIMS) {
      const shown = showTime(payload[name], nowSeconds);
      if (shown !== undefined) times[name] = shown;
    }
    process.stdout.write(`${JSON.stringify({ verified: false, header, payload, signatureBytes, times }, null, 2)}\n`);
    return 0;
  }
  const paint = paintFor(process.stdout, process.env);
  process.stdout.write([
    paint.fail('UNVERIFIED: decoded only. Neither the signature nor any claim has been checked.'),
    '',
    paint.bold('header'),
    showMembers(header, nowSeconds, '  '),
    '',
    paint.bold('payload'),
    showMembers(payload, nowSeconds, '  '),
    '',
    `${paint.bold('signature')}  ${signatureBytes} bytes, not checked`,
    '',
  ].join('\n'));
  return 0;
}

// RFC 7519 §7.2 step 10: a JWT's payload is a JSON object. The verifier refuses anything
// else with this code, so the decoder does too (it has no other way to show the claims).
function parsePayload(bytes: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new AuthError('auth.jwt_payload_invalid');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new AuthError('auth.jwt_payload_invalid');
  return parsed as Record<string, unknown>;
}

#!/usr/bin/env node
// clearjwt: decode, verify and inspect keys from a shell. A leaf of the library: it uses
// only the public API (src/index.ts), so it decides exactly as a service would; nothing in
// the library imports it.

import { isCliProblem } from './args.js';
import { DECODE_HELP, decodeCommand } from './decode.js';
import { KEYS_HELP, keysCommand } from './keys.js';
import { VERIFY_HELP, verifyCommand } from './verify.js';

const USAGE = 'usage: clearjwt <decode | verify | keys> … (clearjwt <command> --help for its flags)';

const HELP = `${USAGE}

  decode <token | ->                      show header and payload, UNVERIFIED
  verify <token | -> --issuer --audience  run the real verifier, stage by stage
  keys <issuer | jwks-uri>                list an issuer's keys, thumbprints, and why any is unusable

${DECODE_HELP}

${VERIFY_HELP}

${KEYS_HELP}`;

const COMMANDS: Record<string, (args: readonly string[]) => Promise<number>> = {
  decode: decodeCommand,
  verify: verifyCommand,
  keys: keysCommand,
};

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const run = command !== undefined && Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (run === undefined) {
    process.stderr.write(`clearjwt: ${command === undefined ? 'a command is required' : `unknown command ${JSON.stringify(command)}`}\n${USAGE}\n`);
    return 2;
  }
  try {
    return await run(args);
  } catch (error) {
    if (isCliProblem(error)) {
      process.stderr.write(`clearjwt ${command}: ${error.message}\n${error.usage === undefined ? '' : `${error.usage}\n`}`);
      return 2;
    }
    process.stderr.write(`clearjwt ${command}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}

// Exit once stdout has drained: a pending keep-alive socket must not hold the shell, and
// a piped reader must still get every byte.
main(process.argv.slice(2)).then((code) => {
  process.stdout.write('', () => process.exit(code));
});

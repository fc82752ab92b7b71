// Command-line parsing shared by the commands: node:util parseArgs in strict mode, so an
// unknown or misspelt flag is refused (exit 2), never ignored.

/**
 * Why a command stops without a result (exit 2): a mistake in how it was called (`usage`
 * then holds the line showing the right way), or a setup or network failure (no usage line).
 */
export interface CliProblem {
  readonly kind: 'cli-problem';
  readonly message: string;
  readonly usage: string | undefined;
}

export function usageProblem(message: string, usage: string): CliProblem {
  return { kind: 'cli-problem', message, usage };
}

export function setupProblem(message: string): CliProblem {
  return { kind: 'cli-problem', message, usage: undefined };
}

export function isCliProblem(value: unknown): value is CliProblem {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'cli-problem';
}

/** An error's cause chain as messages, at most four: what a 503 code means on the network. */
export function causeMessages(error: Error): string[] {
  const messages: string[] = [];
  for (let cause: unknown = error.cause; cause instanceof Error && messages.length < 4; cause = cause.cause) messages.push(cause.message);
  return messages;
}

/**
 * Runs node:util parseArgs (called with `strict: true`) and turns its errors into a
 * UsageProblem; parseArgs' own message names the unknown flag or the missing value.
 */
export function parsedOrUsage<T>(parse: () => T, usage: string): T {
  try {
    return parse();
  } catch (error) {
    throw usageProblem(error instanceof Error ? error.message : String(error), usage);
  }
}

/** The one positional a command takes: `-` reads it from standard input. */
export async function readTokenArgument(positionals: readonly string[], usage: string): Promise<string> {
  if (positionals.length !== 1) throw usageProblem(positionals.length === 0 ? 'a token is required' : 'exactly one token is expected', usage);
  const [argument] = positionals as [string];
  if (argument !== '-') return argument;
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // A token piped from a file or `echo` ends with a newline; no token contains whitespace.
  return Buffer.concat(chunks).toString('utf8').trim();
}

/** `--now`: seconds since the epoch or an ISO 8601 date, to ask what was decided at that time. */
export function parseNow(value: string | undefined, usage: string): number | undefined {
  if (value === undefined) return undefined;
  const milliseconds = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  if (!Number.isFinite(milliseconds)) throw usageProblem(`--now must be seconds since 1970 or an ISO 8601 date, not ${JSON.stringify(value)}`, usage);
  return milliseconds;
}

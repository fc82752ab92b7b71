// Output helpers for the CLI: aligned columns, values shown safely, times as dates, and
// colour only for a terminal that wants it.

/** Paints text for a terminal; the identity when colours are off. */
export interface Paint {
  readonly pass: (text: string) => string;
  readonly fail: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly bold: (text: string) => string;
}

// https://no-color.org: a NO_COLOR that is present and not empty turns colours off.
export function paintFor(stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv): Paint {
  const on = stream.isTTY === true && (env['NO_COLOR'] ?? '') === '';
  const sgr = (open: number, close: number) => (text: string) => (on ? `\x1b[${open}m${text}\x1b[${close}m` : text);
  return { pass: sgr(32, 39), fail: sgr(31, 39), dim: sgr(2, 22), bold: sgr(1, 22) };
}

/**
 * Rows as aligned columns (every column but the last padded to its widest cell). `paint`
 * colours a cell after padding, so escape codes never upset the alignment.
 */
export function columns(rows: readonly (readonly string[])[], indent = '', paint?: (row: number, column: number, cell: string) => string): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, cell.length); });
  return rows.map((row, r) => indent + row.map((cell, c) => {
    const padded = c === row.length - 1 ? cell : cell.padEnd(widths[c]!);
    return paint === undefined ? padded : paint(r, c, padded);
  }).join('  ').trimEnd()).join('\n');
}

/**
 * A decoded value as one line of JSON. JSON.stringify escapes C0 controls; C1 controls
 * (U+007F–U+009F, e.g. the 8-bit CSI) are escaped too, so a token cannot drive the terminal.
 */
export function showValue(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The claims RFC 7519 §4.1.4–4.1.6 and OIDC Core §2 (`auth_time`) define as NumericDate. */
export const TIME_CLAIMS = ['exp', 'nbf', 'iat', 'auth_time'] as const;

export interface ShownTime {
  readonly iso: string;
  /** "in 5 min", "3 h ago", "now". */
  readonly relative: string;
}

/** A NumericDate (seconds) as an ISO date and its distance from `nowSeconds`; undefined for a non-number. */
export function showTime(seconds: unknown, nowSeconds: number): ShownTime | undefined {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return undefined;
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) return undefined;
  return { iso: date.toISOString().replace('.000Z', 'Z'), relative: relativeTime(seconds - nowSeconds) };
}

function relativeTime(deltaSeconds: number): string {
  const size = Math.abs(deltaSeconds);
  if (size < 1) return 'now';
  const units: Array<[number, string]> = [[365 * 86400, 'y'], [86400, 'd'], [3600, 'h'], [60, 'min'], [1, 's']];
  // The largest unit that fits at least twice (90 s → "90 s", 3 h 20 min → "3 h"), so the
  // figure keeps a useful precision without a string of units.
  const [unit, name] = units.find(([length]) => size >= 2 * length) ?? [1, 's'];
  const amount = `${Math.floor(size / unit)} ${name}`;
  return deltaSeconds > 0 ? `in ${amount}` : `${amount} ago`;
}

/** A JSON object's members as aligned `name  value` lines, NumericDates followed by their date. */
export function showMembers(object: Record<string, unknown>, nowSeconds: number, indent: string): string {
  const rows = Object.entries(object).map(([name, value]) => {
    const time = (TIME_CLAIMS as readonly string[]).includes(name) ? showTime(value, nowSeconds) : undefined;
    return [showValue(name).slice(1, -1), time === undefined ? showValue(value) : `${showValue(value)}  ${time.iso} (${time.relative})`];
  });
  return rows.length === 0 ? `${indent}(empty)` : columns(rows, indent);
}

/** Text from outside (a kid, an error message) with its control characters escaped. */
export function printable(text: string): string {
  return showValue(text).slice(1, -1);
}

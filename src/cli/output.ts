/**
 * What a command-line client of the hub shows: where it writes (`CliIo`, shared by `lgsp` and
 * `npm run conformance`), the exit codes of `lgsp`, failures that carry their exit code and the
 * next step, and plain-text tables (aligned columns, no dependency).
 */
import { pathToFileURL } from 'node:url';

/** Where a command reads its environment and writes; tests pass their own. */
export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  out(text: string): void;
  err(text: string): void;
}

/**
 * The real process: stdout, stderr, `process.env`. A reader that stops early (`lgsp ... | head`)
 * ends the output quietly instead of crashing on EPIPE.
 */
export function processIo(): CliIo {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  return { env: process.env, out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`) };
}

/** True when the module whose `import.meta.url` is given is the script node was started with. */
export function isMainModule(moduleUrl: string): boolean {
  return Boolean(process.argv[1]) && moduleUrl === pathToFileURL(process.argv[1]!).href;
}

/** Exit codes of `lgsp` (docs/cli.md). */
export const EXIT = { ok: 0, refused: 1, usage: 2, unavailable: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * A failure the user sees as `error: <lines>` then `hint: <next step>`, and the process ends with
 * `exitCode`. Thrown by commands and the HTTP client; `lgsp.ts` prints it.
 */
export class CliFailure extends Error {
  readonly exitCode: ExitCode;
  readonly lines: readonly string[];
  readonly hint: string | undefined;

  constructor(exitCode: ExitCode, lines: readonly string[], hint?: string) {
    super(lines.join('\n'));
    this.name = 'CliFailure';
    this.exitCode = exitCode;
    this.lines = lines;
    this.hint = hint;
  }
}

/** The command line or a local input (a file, an environment variable) is wrong: exit 2. */
export function usageError(message: string, hint?: string): CliFailure {
  return new CliFailure(EXIT.usage, [message], hint);
}

/** `error: ...` lines (details indented), then the hint. */
export function formatFailure(failure: CliFailure): string {
  const [first = 'failed', ...rest] = failure.lines;
  return [`error: ${first}`, ...rest.map((l) => `  ${l}`), ...(failure.hint ? [`hint: ${failure.hint}`] : [])].join('\n');
}

/** The API's JSON as is, indented for reading. */
export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** Display width, counting a letter with its combining marks (Vietnamese NFD) once. */
function width(text: string): number {
  return [...text.normalize('NFC')].length;
}

/** Shortens `text` to `max` characters with an ellipsis; newlines become spaces. */
export function clip(text: string, max: number): string {
  const flat = text.replace(/\s*\n\s*/g, ' ').normalize('NFC');
  const chars = [...flat];
  return chars.length <= max ? flat : `${chars.slice(0, max - 1).join('')}…`;
}

/** Missing values show as `-`. */
export function cell(value: unknown): string {
  if (value === undefined || value === null || value === '') return '-';
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * Rows under upper-case headers, columns padded to their widest cell and two spaces apart; the
 * last column is not padded (no trailing blanks).
 */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [headers.map((h) => h.toUpperCase()), ...rows];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => width(r[i] ?? ''))));
  return all
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - width(c))))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/**
 * `label  value` lines with the labels aligned; a value's further lines are indented under its
 * first. Entries with an undefined value are left out.
 */
export function fields(entries: readonly (readonly [string, string | undefined])[]): string {
  const shown = entries.filter((e): e is readonly [string, string] => e[1] !== undefined);
  const pad = Math.max(0, ...shown.map(([k]) => width(k)));
  const indent = `\n${' '.repeat(pad + 2)}`;
  return shown.map(([k, v]) => `${k}${' '.repeat(pad - width(k))}  ${v.split('\n').join(indent)}`).join('\n');
}

/** "1 dead letter", "2 dead letters". */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : nouns}`;
}

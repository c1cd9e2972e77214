/**
 * What every `lgsp` command is: its words (`connectors register`), its usage line, its own options
 * (besides the global `--hub`, `--json`, `--help`), and `run`, which prints through the context
 * and throws a `CliFailure` when it cannot do its job. Also the helpers commands share: the
 * tokens from the environment and reading a local JSON file.
 */
import { readFile } from 'node:fs/promises';
import type { ParseArgsConfig } from 'node:util';
import type { Credential, HubClient } from '../http-client.ts';
import { usageError, type CliIo } from '../output.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

export interface CommandContext {
  readonly io: CliIo;
  readonly hub: HubClient;
  /** `--json`: print the API's JSON as is (scripts), else readable text. */
  readonly json: boolean;
  readonly args: readonly string[];
  readonly options: OptionValues;
}

export interface Command {
  /** The words that select it: `['connectors', 'register']`, `['send']`. */
  readonly words: readonly string[];
  /** Arguments and options after the words, e.g. `<manifest.json>`. */
  readonly usage: string;
  readonly summary: string;
  readonly options?: Options;
  run(ctx: CommandContext): Promise<void>;
}

/** The operator's own token (`LGSP_ADMIN_TOKEN` in the CLI's environment); its absence is a usage error. */
export function operator(io: CliIo): Credential {
  const token = io.env.LGSP_ADMIN_TOKEN;
  if (!token)
    throw usageError('LGSP_ADMIN_TOKEN is not set', 'export LGSP_ADMIN_TOKEN=<your operator token (lgsp-op.<name>.…), or the bootstrap admin token>.');
  return { token, from: 'LGSP_ADMIN_TOKEN', role: 'operator' };
}

/** A connector token: `--token`, else `LGSP_CONNECTOR_TOKEN`; undefined when neither is given. */
export function connectorToken(ctx: CommandContext): Credential | undefined {
  const token = stringOption(ctx, 'token') ?? ctx.io.env.LGSP_CONNECTOR_TOKEN;
  return token ? { token, from: '--token or LGSP_CONNECTOR_TOKEN', role: 'connector' } : undefined;
}

export function stringOption(ctx: CommandContext, name: string): string | undefined {
  const value = ctx.options[name];
  return typeof value === 'string' ? value : undefined;
}

/** Exactly `names.length` positional arguments, named in the error. */
export function positionals(ctx: CommandContext, command: Command, names: readonly string[]): string[] {
  if (ctx.args.length !== names.length) {
    const got = ctx.args.length === 0 ? 'none' : ctx.args.join(' ');
    throw usageError(
      `${command.words.join(' ')} takes ${names.map((n) => `<${n}>`).join(' ') || 'no arguments'} (got ${got})`,
      `lgsp ${command.words.join(' ')} ${command.usage}`,
    );
  }
  return [...ctx.args];
}

const READ_ERRORS: Readonly<Record<string, string>> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'it is a directory' };

/** The text of a local file; a missing or unreadable file is a usage error. */
export async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const why = READ_ERRORS[code] ?? (err as Error).message;
    throw usageError(`cannot read ${file}: ${why}`, 'check the path (relative to the current directory).');
  }
}

/** Parses a local JSON file; invalid JSON is a usage error (the hub is not asked). */
export function parseJsonFile(file: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw usageError(`${file} is not valid JSON: ${(err as Error).message}`, 'fix the file; nothing was sent.');
  }
}

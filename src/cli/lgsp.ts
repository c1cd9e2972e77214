/**
 * `lgsp <group> <command> [args] [--hub URL] [--json]`: the hub's HTTP API for operators and
 * integrators (docs/cli.md). Run through `bin/lgsp`, or `node src/cli/lgsp.ts`.
 *
 * A client of the hub, not the hub: it reads its own environment here, outside `src/config` on
 * purpose (as `conformance.ts`): `LGSP_HUB_URL`, `LGSP_ADMIN_TOKEN` (operator commands),
 * `LGSP_CONNECTOR_TOKEN` (`send`, `trace`).
 *
 * Exit codes: 0 done, 1 the hub refused (4xx; the problem is printed), 2 usage (the command line,
 * a file or a variable is wrong), 3 the hub cannot be reached or failed (5xx).
 */
import { parseArgs } from 'node:util';
import { agenciesImport, agenciesList } from './commands/agencies.ts';
import type { Command } from './commands/command.ts';
import { connectorsList, connectorsRegister, connectorsRotate, connectorsShow } from './commands/connectors.ts';
import { deadLettersList, deadLettersReplay, deadLettersShow } from './commands/dead-letters.ts';
import { secretsReencrypt } from './commands/secrets.ts';
import { operatorsCreate, operatorsDelete, operatorsList, operatorsRotate, operatorsSetRole } from './commands/operators.ts';
import { audit, auditVerify } from './commands/audit.ts';
import { policiesList, policiesReset, policiesSet, policiesShow } from './commands/policies.ts';
import {
  servicesCalls,
  servicesGrant,
  servicesGrants,
  servicesList,
  servicesRefuse,
  servicesRegister,
  servicesRevoke,
  servicesShow,
} from './commands/services.ts';
import { send } from './commands/send.ts';
import { trace } from './commands/trace.ts';
import { verifyWebhookCommand } from './commands/verify-webhook.ts';
import { verify } from './commands/verify.ts';
import { HubClient, hubUrlOf } from './http-client.ts';
import { CliFailure, EXIT, formatFailure, isMainModule, processIo, usageError, type CliIo } from './output.ts';

export const COMMANDS: readonly Command[] = [
  agenciesImport,
  agenciesList,
  connectorsRegister,
  connectorsList,
  connectorsShow,
  connectorsRotate,
  send,
  trace,
  verifyWebhookCommand,
  verify,
  deadLettersList,
  deadLettersShow,
  deadLettersReplay,
  secretsReencrypt,
  operatorsList,
  operatorsCreate,
  operatorsSetRole,
  operatorsRotate,
  operatorsDelete,
  audit,
  auditVerify,
  policiesList,
  policiesShow,
  policiesSet,
  policiesReset,
  servicesList,
  servicesShow,
  servicesRegister,
  servicesGrants,
  servicesGrant,
  servicesRevoke,
  servicesRefuse,
  servicesCalls,
];

/** A bug in lgsp itself (sysexits EX_SOFTWARE), apart from the documented codes 0-3. */
const BUG = 70;

const GLOBAL_OPTIONS = {
  hub: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function usage(commands: readonly Command[] = COMMANDS): string {
  return [
    'usage: lgsp <group> <command> [args] [--hub URL] [--json]',
    '',
    ...commands.flatMap((c) => [`  lgsp ${c.words.join(' ')} ${c.usage}`.trimEnd(), `      ${c.summary}`]),
    '',
    'options:',
    '  --hub URL  the hub (default: LGSP_HUB_URL, else http://127.0.0.1:8080)',
    "  --json     print the API's JSON as is, for scripts",
    'environment: LGSP_ADMIN_TOKEN (operator commands), LGSP_CONNECTOR_TOKEN (send, trace, services list|show|calls)',
    'exit codes: 0 done, 1 the hub refused, 2 usage, 3 the hub cannot be reached or failed',
  ].join('\n');
}

/** The command the leading words select, and the rest of the arguments. */
function select(argv: readonly string[]): { command: Command; rest: string[] } | { group: Command[] } | undefined {
  const [first, second] = argv;
  const pair = COMMANDS.find((c) => c.words.length === 2 && c.words[0] === first && c.words[1] === second);
  if (pair) return { command: pair, rest: argv.slice(2) };
  const single = COMMANDS.find((c) => c.words.length === 1 && c.words[0] === first);
  if (single) return { command: single, rest: argv.slice(1) };
  const group = COMMANDS.filter((c) => c.words[0] === first);
  if (group.length === 0) return undefined;
  const command = group.find((c) => c.words[1] === second);
  return command ? { command, rest: argv.slice(2) } : { group };
}

/** Runs `lgsp` with `argv` (without node and the script); resolves with the exit code, never rejects. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const wantsHelp = argv.includes('--help') || argv.includes('-h');
    const selected = select(argv);
    if (!selected || 'group' in selected) {
      if (argv.length === 0) {
        io.err(usage());
        return EXIT.usage;
      }
      if ((wantsHelp && !selected) || argv[0] === 'help') {
        io.out(usage());
        return EXIT.ok;
      }
      if (selected && wantsHelp) {
        io.out(usage(selected.group));
        return EXIT.ok;
      }
      if (argv[0]!.startsWith('-'))
        throw usageError(
          `options go after the command (got "${argv[0]}" first)`,
          'lgsp <group> <command> [args] [--hub URL] [--json]; lgsp --help lists the commands.',
        );
      if (!selected)
        throw usageError(
          `unknown command "${argv[0]}"; known: ${[...new Set(COMMANDS.map((c) => c.words[0]))].join(', ')}`,
          'lgsp --help lists every command.',
        );
      const known = selected.group.map((c) => c.words[1]).join(', ');
      const sub = argv[1];
      throw usageError(
        sub === undefined || sub.startsWith('-') ? `"lgsp ${argv[0]}" needs a command: ${known}` : `unknown command "${argv[0]} ${sub}"; known: ${known}`,
        `lgsp ${argv[0]} --help shows their usage.`,
      );
    }
    const { command, rest } = selected;
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: { ...GLOBAL_OPTIONS, ...command.options }, strict: true, allowPositionals: true });
    } catch (err) {
      throw usageError((err as Error).message.split(/\. To specify|\n/)[0]!, `lgsp ${command.words.join(' ')} ${command.usage}`);
    }
    const { values, positionals } = parsed;
    if (values.help) {
      io.out(usage([command]));
      return EXIT.ok;
    }
    const hub = new HubClient(hubUrlOf(typeof values.hub === 'string' ? values.hub : undefined, io.env));
    if (!/^https?:\/\/[^/]+/i.test(hub.baseUrl))
      throw usageError(`the hub URL "${hub.baseUrl}" is not an http(s) URL`, 'pass --hub http://host:port or set LGSP_HUB_URL.');
    await command.run({ io, hub, json: values.json === true, args: positionals, options: values });
    return EXIT.ok;
  } catch (err) {
    if (!(err instanceof CliFailure)) throw err;
    io.err(formatFailure(err));
    return err.exitCode;
  }
}

/** Runs `lgsp` as the process: its arguments, stdout/stderr, its exit code. */
export async function runProcess(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  try {
    process.exitCode = await main(argv, processIo());
  } catch (err) {
    process.stderr.write(`lgsp: unexpected error (a bug in lgsp; please report it with this output): ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = BUG;
  }
}

if (isMainModule(import.meta.url)) await runProcess();

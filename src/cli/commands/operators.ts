/**
 * Named operators (role admin): `lgsp operators list`, `create <name> --role <role>` (the token is
 * shown once), `set-role <name> <role>`, `rotate <name> [--overlap <duration>]` (the old token keeps
 * working for the overlap; `--overlap 0s` stops it at once), `delete <name>`.
 */
import { cell, fields, json, plural, table, usageError, type CliIo } from '../output.ts';
import { operator, positionals, stringOption, type Command } from './command.ts';

interface OperatorView {
  name: string;
  role: string;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  previousTokenValidUntil?: string;
}

const ROLES = ['viewer', 'operator', 'admin'];
const HINTS = {
  'not-found': 'check the name: lgsp operators list shows them.',
  conflict: 'keep at least one admin (make another operator admin first), and choose a name not taken.',
  forbidden: 'managing operators needs the role admin: use the token of an admin.',
};

function role(value: string | undefined, usage: string): string {
  if (!value || !ROLES.includes(value)) throw usageError(`the role must be one of ${ROLES.join(', ')} (got ${value ?? 'none'})`, usage);
  return value;
}

/** On stderr, so it is seen even when stdout goes to a file or a pipe. */
function tokenWarning(io: CliIo, name: string): void {
  io.err(`warning: the hub shows this token once: hand it to ${name} over a safe channel now. A lost token is replaced with: lgsp operators rotate ${name}`);
}

export const operatorsList: Command = {
  words: ['operators', 'list'],
  usage: '',
  summary: 'the named operators and their roles (role admin)',
  async run(ctx) {
    positionals(ctx, this, []);
    const answer = await ctx.hub.request<{ operators: OperatorView[] }>({ method: 'GET', path: '/v1/operators', credential: operator(ctx.io), hints: HINTS });
    if (ctx.json) return ctx.io.out(json(answer));
    const rows = answer.operators.map((o) => [o.name, o.role, o.createdBy, o.updatedAt, cell(o.previousTokenValidUntil)]);
    ctx.io.out(`${table(['name', 'role', 'created by', 'updated', 'old token until'], rows)}\n${plural(answer.operators.length, 'operator')}`);
  },
};

export const operatorsCreate: Command = {
  words: ['operators', 'create'],
  usage: '<name> --role viewer|operator|admin',
  summary: 'create a named operator; prints its token once',
  options: { role: { type: 'string' } },
  async run(ctx) {
    const [name] = positionals(ctx, this, ['name']);
    const body = { name, role: role(stringOption(ctx, 'role'), `lgsp operators create ${this.usage}`) };
    const answer = await ctx.hub.request<{ operator: OperatorView; token: string }>({
      method: 'POST',
      path: '/v1/operators',
      credential: operator(ctx.io),
      body,
      hints: { ...HINTS, 'validation-failed': 'names are lower-case letters, digits and "-".' },
    });
    ctx.io.out(ctx.json ? json(answer) : `created operator ${answer.operator.name} (role ${answer.operator.role})\ntoken: ${answer.token}`);
    tokenWarning(ctx.io, answer.operator.name);
  },
};

export const operatorsSetRole: Command = {
  words: ['operators', 'set-role'],
  usage: '<name> viewer|operator|admin',
  summary: "change an operator's role (the last admin stays admin)",
  async run(ctx) {
    const [name, wanted] = positionals(ctx, this, ['name', 'role']);
    const answer = await ctx.hub.request<OperatorView>({
      method: 'PUT',
      path: `/v1/operators/${encodeURIComponent(name!)}`,
      credential: operator(ctx.io),
      body: { role: role(wanted, `lgsp operators set-role ${this.usage}`) },
      hints: HINTS,
    });
    ctx.io.out(ctx.json ? json(answer) : `${answer.name} now has the role ${answer.role}`);
  },
};

export const operatorsRotate: Command = {
  words: ['operators', 'rotate'],
  usage: '<name> [--overlap <duration>]',
  summary: 'issue a new token for an operator; the old one works for the overlap (default LGSP_TOKEN_OVERLAP, 0s: none)',
  options: { overlap: { type: 'string' } },
  async run(ctx) {
    const [name] = positionals(ctx, this, ['name']);
    const answer = await ctx.hub.request<{ operator: OperatorView; token: string }>({
      method: 'POST',
      path: `/v1/operators/${encodeURIComponent(name!)}:rotate`,
      query: { overlap: stringOption(ctx, 'overlap') },
      credential: operator(ctx.io),
      hints: { ...HINTS, 'validation-failed': '--overlap is a duration such as 30m, 24h or 0s.' },
    });
    const until = answer.operator.previousTokenValidUntil;
    ctx.io.out(
      ctx.json
        ? json(answer)
        : fields([
            ['operator', answer.operator.name],
            ['token', answer.token],
            ['old token', until ? `works until ${until}` : 'no longer works'],
          ]),
    );
    tokenWarning(ctx.io, answer.operator.name);
  },
};

export const operatorsDelete: Command = {
  words: ['operators', 'delete'],
  usage: '<name>',
  summary: 'delete an operator; its token stops working at once (the last admin stays)',
  async run(ctx) {
    const [name] = positionals(ctx, this, ['name']);
    await ctx.hub.request<undefined>({ method: 'DELETE', path: `/v1/operators/${encodeURIComponent(name!)}`, credential: operator(ctx.io), hints: HINTS });
    ctx.io.out(ctx.json ? json({ deleted: name }) : `deleted operator ${name}`);
  },
};

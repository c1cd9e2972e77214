/**
 * Sending rights (docs/policies.md): `lgsp policies list`, `show <type>`, `set <type> <rule.json>`
 * (an operator's rule for the type), `reset <type>` (back to the type's default).
 */
import { fields, json, plural, table } from '../output.ts';
import { operator, parseJsonFile, positionals, readText, type Command } from './command.ts';

interface EffectiveRule {
  type: string;
  rule: { from: Record<string, unknown>; to: string[]; note?: string };
  origin: 'default' | 'operator';
  describe?: string;
  updatedAt?: string;
  updatedBy?: string;
}

const HINTS = {
  'not-found': 'check the type: lgsp policies list shows every message type.',
  forbidden: 'changing a rule needs the role operator; reading it, viewer.',
};

const path = (type: string) => `/v1/policies/${encodeURIComponent(type)}`;
const from = (rule: EffectiveRule['rule']) => (Object.keys(rule.from).length === 0 ? 'any connector' : JSON.stringify(rule.from));
const origin = (p: EffectiveRule) => (p.origin === 'default' ? 'default' : `set by ${p.updatedBy ?? '?'} at ${p.updatedAt ?? '?'}`);

function show(p: EffectiveRule): string {
  return fields([
    ['type', p.type],
    ['origin', origin(p)],
    ['default', p.describe],
    ['from', from(p.rule)],
    ['to', p.rule.to.join(', ') || 'nobody'],
    ['note', p.rule.note],
  ]);
}

export const policiesList: Command = {
  words: ['policies', 'list'],
  usage: '',
  summary: 'the sending rule of every message type, default or set by an operator',
  async run(ctx) {
    positionals(ctx, this, []);
    const answer = await ctx.hub.request<{ policies: EffectiveRule[] }>({ method: 'GET', path: '/v1/policies', credential: operator(ctx.io), hints: HINTS });
    if (ctx.json) return ctx.io.out(json(answer));
    const rows = answer.policies.map((p) => [p.type, p.origin, from(p.rule), p.rule.to.join(', ') || 'nobody']);
    ctx.io.out(`${table(['type', 'origin', 'from', 'to'], rows)}\n${plural(answer.policies.length, 'type')}`);
  },
};

export const policiesShow: Command = {
  words: ['policies', 'show'],
  usage: '<type>',
  summary: 'the sending rule of one message type',
  async run(ctx) {
    const [type] = positionals(ctx, this, ['type']);
    const answer = await ctx.hub.request<EffectiveRule>({ method: 'GET', path: path(type!), credential: operator(ctx.io), hints: HINTS });
    ctx.io.out(ctx.json ? json(answer) : show(answer));
  },
};

export const policiesSet: Command = {
  words: ['policies', 'set'],
  usage: '<type> <rule.json>',
  summary: 'set the sending rule of a message type ({ "from": {...}, "to": [...] }, docs/policies.md)',
  async run(ctx) {
    const [type, file] = positionals(ctx, this, ['type', 'rule.json']);
    const rule = parseJsonFile(file!, await readText(file!));
    const answer = await ctx.hub.request<EffectiveRule>({
      method: 'PUT',
      path: path(type!),
      credential: operator(ctx.io),
      body: rule,
      hints: { ...HINTS, 'validation-failed': `fix each path above in ${file}; the rule was not changed.` },
    });
    ctx.io.out(ctx.json ? json(answer) : `${type} now follows the rule below\n${show(answer)}`);
  },
};

export const policiesReset: Command = {
  words: ['policies', 'reset'],
  usage: '<type>',
  summary: "delete the operator's rule of a message type: its default applies again",
  async run(ctx) {
    const [type] = positionals(ctx, this, ['type']);
    const answer = await ctx.hub.request<EffectiveRule>({ method: 'DELETE', path: path(type!), credential: operator(ctx.io), hints: HINTS });
    ctx.io.out(ctx.json ? json(answer) : `${type} follows its default again\n${show(answer)}`);
  },
};

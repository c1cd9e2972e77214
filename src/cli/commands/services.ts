/**
 * The data-sharing catalogue (docs/services.md): `lgsp services list`, `show <id>` (an operator's
 * token, or a connector's with `--token` / LGSP_CONNECTOR_TOKEN), `register <service.json>
 * [--replace]`, and the grants of a service (operators): `grants <service>`, `grant <service>
 * --consumer --purpose [--expires --quota --note]`, `revoke <service> <grant id>`, `refuse
 * <service> --consumer --reason [--purpose]`.
 */
import type { CallRecord, StoredGrant, StoredRefusal, StoredService } from '../../services/service-record.ts';
import { cell, fields, json, plural, table, usageError } from '../output.ts';
import { operator, parseJsonFile, positionals, readText, stringOption, type Command, type CommandContext } from './command.ts';
import { credentialFor } from './trace.ts';

type ServiceView = Omit<StoredService, 'endpoint'> & { endpoint?: string; openapiUrl: string };

const NOT_FOUND = { 'not-found': 'check the id: lgsp services list shows the catalogue (and lgsp services grants <service> its grants).' };
const FORBIDDEN = { forbidden: 'changing the catalogue or its grants needs the role operator; reading them, viewer.' };

const path = (id: string, rest = '') => `/v1/services/${encodeURIComponent(id)}${rest}`;

function required(ctx: CommandContext, command: Command, name: string): string {
  const value = stringOption(ctx, name);
  if (!value) throw usageError(`${command.words.join(' ')} needs --${name}`, `lgsp ${command.words.join(' ')} ${command.usage}`);
  return value;
}

function grantRow(g: StoredGrant): string[] {
  return [g.id, g.consumer, g.purpose, cell(g.expires), cell(g.quota), `${g.grantedBy} ${g.grantedAt}`, cell(g.note)];
}

function refusalRow(r: StoredRefusal): string[] {
  return [r.id, r.consumer, r.purpose ?? 'any', `${r.refusedBy} ${r.refusedAt}`, r.reason];
}

export const servicesList: Command = {
  words: ['services', 'list'],
  usage: '[--token <connector token>]',
  summary: 'the data-sharing catalogue: every service, its provider and classification',
  options: { token: { type: 'string' } },
  async run(ctx) {
    positionals(ctx, this, []);
    const answer = await ctx.hub.request<{ services: ServiceView[] }>({ method: 'GET', path: '/v1/services', credential: credentialFor(ctx) });
    if (ctx.json) return ctx.io.out(json(answer));
    const rows = answer.services.map((s) => [s.id, s.version, s.classification, s.provider, s.title]);
    ctx.io.out(`${table(['id', 'version', 'classification', 'provider', 'title'], rows)}\n${plural(answer.services.length, 'service')}`);
  },
};

export const servicesShow: Command = {
  words: ['services', 'show'],
  usage: '<id> [--token <connector token>]',
  summary: 'one service of the catalogue',
  options: { token: { type: 'string' } },
  async run(ctx) {
    const [id] = positionals(ctx, this, ['id']);
    const s = await ctx.hub.request<ServiceView>({ method: 'GET', path: path(id!), credential: credentialFor(ctx), hints: NOT_FOUND });
    if (ctx.json) return ctx.io.out(json(s));
    ctx.io.out(
      fields([
        ['id', s.id],
        ['title', s.title],
        ['version', s.version],
        ['classification', s.classification],
        ['provider', s.provider],
        ['endpoint', s.endpoint],
        ['description', s.description],
        ['request schema', s.request ? 'yes (calls are checked against it)' : 'none'],
        ['call log', s.logBodies ? 'bodies kept' : 'SHA-256 of bodies only'],
        ['timeout', s.timeoutMs === undefined ? undefined : `${s.timeoutMs} ms`],
        ['openapi', s.openapiUrl],
        ['updated', `${s.updatedAt} by ${s.updatedBy}`],
      ]),
    );
  },
};

export const servicesRegister: Command = {
  words: ['services', 'register'],
  usage: '<service.json> [--replace]',
  summary: "register a provider's service (--replace: a new version of a registered one)",
  options: { replace: { type: 'boolean', default: false } },
  async run(ctx) {
    const [file] = positionals(ctx, this, ['service.json']);
    const spec = parseJsonFile(file!, await readText(file!)) as { id?: unknown };
    const replace = ctx.options.replace === true;
    if (replace && typeof spec.id !== 'string') throw usageError(`${file} has no "id"`, 'give the id of the service to replace in the file.');
    const s = await ctx.hub.request<ServiceView>({
      method: replace ? 'PUT' : 'POST',
      path: replace ? path(spec.id as string) : '/v1/services',
      credential: operator(ctx.io),
      body: spec,
      hints: {
        ...FORBIDDEN,
        'validation-failed': `fix each path above in ${file}; nothing was registered.`,
        conflict: `the service exists: lgsp services register ${file} --replace replaces it.`,
        'not-found': `no such service to replace: register it without --replace.`,
      },
    });
    ctx.io.out(
      ctx.json
        ? json(s)
        : `${replace ? 'replaced' : 'registered'} service ${s.id} ${s.version} of ${s.provider}; grant it: lgsp services grant ${s.id} --consumer <connector or agency> --purpose <code>`,
    );
  },
};

export const servicesGrants: Command = {
  words: ['services', 'grants'],
  usage: '<service>',
  summary: "a service's grants and refusals",
  async run(ctx) {
    const [id] = positionals(ctx, this, ['service']);
    const answer = await ctx.hub.request<{ grants: StoredGrant[]; refusals: StoredRefusal[] }>({
      method: 'GET',
      path: path(id!, '/grants'),
      credential: operator(ctx.io),
      hints: NOT_FOUND,
    });
    if (ctx.json) return ctx.io.out(json(answer));
    const sections = [
      answer.grants.length === 0
        ? 'no grants'
        : table(['grant', 'consumer', 'purpose', 'expires', 'quota/min', 'granted', 'note'], answer.grants.map(grantRow)),
      ...(answer.refusals.length === 0 ? [] : [`refusals\n${table(['refusal', 'consumer', 'purpose', 'refused', 'reason'], answer.refusals.map(refusalRow))}`]),
    ];
    ctx.io.out(`${sections.join('\n\n')}\n${plural(answer.grants.length, 'grant')}, ${plural(answer.refusals.length, 'refusal')}`);
  },
};

export const servicesGrant: Command = {
  words: ['services', 'grant'],
  usage: '<service> --consumer <connector id | agency code> --purpose <code> [--expires <ISO time>] [--quota <calls a minute>] [--note <text>]',
  summary: 'grant a connector, or every connector of an agency, the service for a purpose',
  options: { consumer: { type: 'string' }, purpose: { type: 'string' }, expires: { type: 'string' }, quota: { type: 'string' }, note: { type: 'string' } },
  async run(ctx) {
    const [id] = positionals(ctx, this, ['service']);
    const quota = stringOption(ctx, 'quota');
    if (quota !== undefined && !/^[1-9]\d*$/.test(quota))
      throw usageError(`--quota must be a whole number of calls a minute (got ${quota})`, `lgsp services grant ${this.usage}`);
    const body = {
      consumer: required(ctx, this, 'consumer'),
      purpose: required(ctx, this, 'purpose'),
      expires: stringOption(ctx, 'expires'),
      quota: quota === undefined ? undefined : Number(quota),
      note: stringOption(ctx, 'note'),
    };
    const g = await ctx.hub.request<StoredGrant>({
      method: 'POST',
      path: path(id!, '/grants'),
      credential: operator(ctx.io),
      body,
      hints: { ...NOT_FOUND, ...FORBIDDEN, 'validation-failed': 'fix the options named above (the path is the option); nothing was granted.' },
    });
    ctx.io.out(ctx.json ? json(g) : `granted ${g.service} to ${g.consumer} for ${g.purpose}${g.expires ? ` until ${g.expires}` : ''}; grant id ${g.id}`);
  },
};

export const servicesRevoke: Command = {
  words: ['services', 'revoke'],
  usage: '<service> <grant id>',
  summary: 'revoke a grant: the next call under it is refused',
  async run(ctx) {
    const [id, grantId] = positionals(ctx, this, ['service', 'grant id']);
    await ctx.hub.request({
      method: 'DELETE',
      path: path(id!, `/grants/${encodeURIComponent(grantId!)}`),
      credential: operator(ctx.io),
      hints: { ...NOT_FOUND, ...FORBIDDEN },
    });
    ctx.io.out(ctx.json ? json({ revoked: grantId, service: id }) : `revoked grant ${grantId} of ${id}`);
  },
};

export const servicesRefuse: Command = {
  words: ['services', 'refuse'],
  usage: '<service> --consumer <connector id | agency code> --reason <text> [--purpose <code>]',
  summary: 'record a refusal with its reason in writing (Decree 194/2025)',
  options: { consumer: { type: 'string' }, reason: { type: 'string' }, purpose: { type: 'string' } },
  async run(ctx) {
    const [id] = positionals(ctx, this, ['service']);
    const body = { consumer: required(ctx, this, 'consumer'), reason: required(ctx, this, 'reason'), purpose: stringOption(ctx, 'purpose') };
    const r = await ctx.hub.request<StoredRefusal>({
      method: 'POST',
      path: path(id!, '/grants:refuse'),
      credential: operator(ctx.io),
      body,
      hints: { ...NOT_FOUND, ...FORBIDDEN, 'validation-failed': 'fix the options named above (the path is the option); nothing was recorded.' },
    });
    ctx.io.out(ctx.json ? json(r) : `recorded refusal ${r.id}: ${r.service} refused to ${r.consumer}${r.purpose ? ` for ${r.purpose}` : ''}`);
  },
};
export const servicesCalls: Command = {
  words: ['services', 'calls'],
  usage:
    '<service> [--consumer <connector>] [--consumer-agency <code>] [--officer <id>] [--purpose <code>] [--outcome <outcome>] [--status <n>] [--since <ISO time>] [--until <ISO time>] [--limit <n>] [--token <connector token>]',
  summary: "a service's call log, newest first (a consumer connector sees only its own calls)",
  options: Object.fromEntries(
    ['consumer', 'consumer-agency', 'officer', 'purpose', 'outcome', 'status', 'since', 'until', 'limit', 'token'].map((o) => [o, { type: 'string' as const }]),
  ),
  async run(ctx) {
    const [id] = positionals(ctx, this, ['service']);
    const answer = await ctx.hub.request<{ calls: CallRecord[] }>({
      method: 'GET',
      path: path(id!, '/calls'),
      query: {
        consumer: stringOption(ctx, 'consumer'),
        consumerAgency: stringOption(ctx, 'consumer-agency'),
        officer: stringOption(ctx, 'officer'),
        purpose: stringOption(ctx, 'purpose'),
        outcome: stringOption(ctx, 'outcome'),
        status: stringOption(ctx, 'status'),
        since: stringOption(ctx, 'since'),
        until: stringOption(ctx, 'until'),
        limit: stringOption(ctx, 'limit'),
      },
      credential: credentialFor(ctx),
      hints: {
        ...NOT_FOUND,
        'validation-failed':
          'fix the option named above: --outcome answered|not-granted|over-quota|bad-request|provider-unavailable|provider-timeout|answer-too-large, --since/--until an ISO time, --limit 1 to 1000.',
      },
    });
    if (ctx.json) return ctx.io.out(json(answer));
    if (answer.calls.length === 0) return ctx.io.out('no calls match');
    const rows = answer.calls.map((c) => [
      c.time,
      c.id,
      `${c.consumer} (${c.consumerAgency})`,
      c.officer,
      c.purpose,
      `${c.method} ${c.path}`,
      `${c.status} ${c.outcome}`,
      `${c.latencyMs} ms`,
    ]);
    ctx.io.out(`${table(['time', 'call id', 'consumer', 'officer', 'purpose', 'request', 'answer', 'latency'], rows)}\n${plural(answer.calls.length, 'call')}`);
  },
};

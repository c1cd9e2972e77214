/**
 * The connector registry: `lgsp connectors register <manifest.json>` (the token is shown once),
 * `list`, `show <id>`, `rotate <id>` (a new token; the old one stops working).
 */
import { cell, clip, fields, json, plural, table, type CliIo } from '../output.ts';
import { operator, parseJsonFile, positionals, readText, stringOption, type Command } from './command.ts';

interface ConnectorView {
  id: string;
  agency: string;
  kind: string;
  endpoint?: string;
  description?: string;
  auth?: { scheme?: string };
  subscriptions?: { type: string; filter?: Record<string, string> }[];
  delivery?: Record<string, unknown>;
  settings?: Record<string, unknown>;
  createdAt?: string;
  updatedAt?: string;
  [other: string]: unknown;
}

const NOT_FOUND = { 'not-found': 'check the id: lgsp connectors list shows the registered connectors.' };

/** On stderr, so it is seen even when stdout goes to a file or a pipe. */
function tokenWarning(io: CliIo, id: string): void {
  io.err(`warning: the hub shows this token once: store it now in the connector's secret store. A lost token is replaced with: lgsp connectors rotate ${id}`);
}

export const connectorsRegister: Command = {
  words: ['connectors', 'register'],
  usage: '<manifest.json>',
  summary: 'register a connector from its manifest; prints its token once',
  async run(ctx) {
    const [file] = positionals(ctx, this, ['manifest.json']);
    const manifest = parseJsonFile(file!, await readText(file!));
    const answer = await ctx.hub.request<{ connector: ConnectorView; token: string; warnings?: string[] }>({
      method: 'POST',
      path: '/v1/connectors',
      credential: operator(ctx.io),
      body: manifest,
      hints: {
        'validation-failed': `fix each path above in ${file}; nothing was registered.`,
        conflict: 'choose another id in the manifest (lgsp connectors list shows the taken ones).',
      },
    });
    const c = answer.connector;
    ctx.io.out(
      ctx.json
        ? json(answer)
        : `registered connector ${c.id} (${c.kind}) for agency ${c.agency}${c.endpoint ? `, delivering to ${c.endpoint}` : ', send only'}\ntoken: ${answer.token}`,
    );
    tokenWarning(ctx.io, c.id);
    for (const warning of answer.warnings ?? []) ctx.io.err(`warning: ${warning}`);
  },
};

export const connectorsList: Command = {
  words: ['connectors', 'list'],
  usage: '',
  summary: 'the registered connectors',
  async run(ctx) {
    positionals(ctx, this, []);
    const answer = await ctx.hub.request<{ connectors: ConnectorView[] }>({ method: 'GET', path: '/v1/connectors', credential: operator(ctx.io) });
    if (ctx.json) return ctx.io.out(json(answer));
    if (answer.connectors.length === 0) return ctx.io.out('no connectors are registered; register one with: lgsp connectors register <manifest.json>');
    const rows = answer.connectors.map((c) => [
      c.id,
      c.agency,
      c.kind,
      cell(c.endpoint),
      cell((c.subscriptions ?? []).map((s) => s.type).join(', ')),
      cell(c.updatedAt),
    ]);
    ctx.io.out(`${table(['id', 'agency', 'kind', 'endpoint', 'subscriptions', 'updated'], rows)}\n${plural(answer.connectors.length, 'connector')}`);
  },
};

export const connectorsShow: Command = {
  words: ['connectors', 'show'],
  usage: '<id>',
  summary: "one connector's manifest (secret settings shown as (hidden))",
  async run(ctx) {
    const [id] = positionals(ctx, this, ['id']);
    const c = await ctx.hub.request<ConnectorView>({
      method: 'GET',
      path: `/v1/connectors/${encodeURIComponent(id!)}`,
      credential: operator(ctx.io),
      hints: NOT_FOUND,
    });
    ctx.io.out(ctx.json ? json(c) : showConnector(c));
  },
};

export const connectorsRotate: Command = {
  words: ['connectors', 'rotate'],
  usage: '<id> [--overlap <duration>]',
  summary: 'issue a new token for a connector; the old one works until the overlap ends (--overlap 0s: stops at once)',
  options: { overlap: { type: 'string' } },
  async run(ctx) {
    const [id] = positionals(ctx, this, ['id']);
    const answer = await ctx.hub.request<{ token: string; previousValidUntil: string }>({
      method: 'POST',
      path: `/v1/connectors/${encodeURIComponent(id!)}:rotate`,
      query: { overlap: stringOption(ctx, 'overlap') },
      credential: operator(ctx.io),
      hints: { ...NOT_FOUND, 'validation-failed': 'give --overlap as a duration such as 0s, 15m or 1h (at most 720h).' },
    });
    ctx.io.out(
      ctx.json
        ? json(answer)
        : `new token for ${id}: ${answer.token}\nthe previous token works until ${answer.previousValidUntil}; the hub now signs deliveries to ${id} with a key derived from the new one.`,
    );
    tokenWarning(ctx.io, id!);
  },
};

function showConnector(c: ConnectorView): string {
  const { id, agency, kind, endpoint, description, auth, subscriptions, delivery, settings, createdAt, updatedAt, ...rest } = c;
  const subs = (subscriptions ?? []).map(
    (s) =>
      `${s.type}${
        s.filter
          ? ` (${Object.entries(s.filter)
              .map(([k, v]) => `${k}=${v}`)
              .join(', ')})`
          : ''
      }`,
  );
  return fields([
    ['id', id],
    ['agency', agency],
    ['kind', kind],
    ['endpoint', endpoint ?? '- (send only)'],
    ['description', description && clip(description, 100)],
    ['auth', auth?.scheme ?? 'bearer'],
    ['subscriptions', subs.length ? subs.join('\n') : '-'],
    ['delivery', delivery && deliveryLine(delivery)],
    [
      'settings',
      settings &&
        Object.entries(settings)
          .map(([k, v]) => `${k}=${cell(v)}`)
          .join(', '),
    ],
    ...Object.entries(rest).map(([k, v]) => [k, cell(v)] as const),
    ['created', createdAt],
    ['updated', updatedAt],
  ]);
}

/** `timeout 2000 ms; retries 300ms, 1s, 2s; breaker {...}`: the known fields first, any other as JSON. */
function deliveryLine(d: Record<string, unknown>): string {
  const { timeoutMs, retrySchedule, ...rest } = d;
  const parts = [
    ...(timeoutMs !== undefined ? [`timeout ${cell(timeoutMs)} ms`] : []),
    ...(Array.isArray(retrySchedule) ? [`retries ${retrySchedule.join(', ') || 'none'}`] : []),
    ...Object.entries(rest).map(([k, v]) => `${k} ${cell(v)}`),
  ];
  return parts.join('; ') || '-';
}

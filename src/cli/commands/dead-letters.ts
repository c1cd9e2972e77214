/**
 * Dead letters (operators): `lgsp dead-letters list [--connector --stage --reason --from --to
 * --limit --all]`, `show <id>` (with the recipient's answer and the original bytes), and
 * `replay <id...>` or `replay --connector <id> [--from --to]`. Ids are `<partition>:<offset>`.
 * A replay that skips any letter (unknown, already replayed, a stage that cannot be replayed)
 * exits 1 after printing what was replayed.
 */
import type { DeadLetterDetail, DeadLetterEntry } from '../../delivery/dead-letter-view.ts';
import type { ReplayOutcome } from '../../delivery/dead-letter-replay.ts';
import { CliFailure, EXIT, cell, clip, fields, json, plural, table, usageError } from '../output.ts';
import { operator, positionals, stringOption, type Command } from './command.ts';

const LETTER_ID = /^\d+:\d+$/;
const NOT_FOUND = { 'not-found': 'check the id: lgsp dead-letters list shows them (--all includes replayed ones).' };

export const deadLettersList: Command = {
  words: ['dead-letters', 'list'],
  usage: '[--connector <id>] [--stage <stage>] [--reason <text>] [--from <time>] [--to <time>] [--limit <n>] [--all]',
  summary: 'dead letters, newest first; --all includes the replayed ones',
  options: {
    connector: { type: 'string' },
    stage: { type: 'string' },
    reason: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    limit: { type: 'string' },
    all: { type: 'boolean', default: false },
  },
  async run(ctx) {
    positionals(ctx, this, []);
    const query = {
      connector: stringOption(ctx, 'connector'),
      stage: stringOption(ctx, 'stage'),
      reason: stringOption(ctx, 'reason'),
      from: stringOption(ctx, 'from'),
      to: stringOption(ctx, 'to'),
      limit: stringOption(ctx, 'limit'),
      includeReplayed: ctx.options.all === true ? 'true' : undefined,
    };
    const answer = await ctx.hub.request<{ deadLetters: DeadLetterEntry[] }>({
      method: 'GET',
      path: '/v1/dead-letters',
      query,
      credential: operator(ctx.io),
      hints: { 'validation-failed': 'fix the options named above (the path is the option): times are ISO 8601, e.g. 2025-07-01T00:00:00Z.' },
    });
    if (ctx.json) return ctx.io.out(json(answer));
    const letters = answer.deadLetters;
    if (letters.length === 0) return ctx.io.out(`no dead letters${ctx.options.all === true ? '' : ' waiting for replay (--all includes replayed ones)'}`);
    const rows = letters.map((l) => [
      l.id,
      l.at,
      l.connector,
      l.stage,
      cell(l.status),
      clip(l.reason, 50),
      cell(l.hubId),
      l.replayed ? `replayed ${l.replayed.at}` : '-',
    ]);
    ctx.io.out(
      `${table(['id', 'at', 'connector', 'stage', 'status', 'reason', 'hub id', 'replayed'], rows)}\n${plural(letters.length, 'dead letter')}; details: lgsp dead-letters show <id>`,
    );
  },
};

export const deadLettersShow: Command = {
  words: ['dead-letters', 'show'],
  usage: '<id>',
  summary: "one dead letter: why, the recipient's answer, earlier attempts, the original message",
  async run(ctx) {
    const [id] = positionals(ctx, this, ['id']);
    if (!LETTER_ID.test(id!)) throw usageError(`"${id}" is not a dead-letter id`, 'ids are <partition>:<offset>, as lgsp dead-letters list shows them.');
    const letter = await ctx.hub.request<DeadLetterDetail>({ method: 'GET', path: `/v1/dead-letters/${id}`, credential: operator(ctx.io), hints: NOT_FOUND });
    ctx.io.out(ctx.json ? json(letter) : formatLetter(letter));
  },
};

export const deadLettersReplay: Command = {
  words: ['dead-letters', 'replay'],
  usage: '<id...> | --connector <id> [--from <time>] [--to <time>]',
  summary: 'deliver dead letters again (same hub id, so the same Idempotency-Key)',
  options: { connector: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } },
  async run(ctx) {
    const ids = [...ctx.args];
    const connector = stringOption(ctx, 'connector');
    const from = stringOption(ctx, 'from');
    const to = stringOption(ctx, 'to');
    const usage = `lgsp dead-letters replay ${this.usage}`;
    if (ids.length === 0 && !connector) throw usageError('give the ids of the dead letters to replay, or --connector <id> to replay its dead letters', usage);
    if (ids.length > 0 && (from || to)) throw usageError('give either ids or a time range (--from/--to), not both', usage);
    const bad = ids.filter((id) => !LETTER_ID.test(id));
    if (bad.length > 0) throw usageError(`not dead-letter ids: ${bad.join(', ')}`, 'ids are <partition>:<offset>, as lgsp dead-letters list shows them.');
    const body = ids.length > 0 ? { ids, ...(connector ? { connector } : {}) } : { connector, ...(from ? { from } : {}), ...(to ? { to } : {}) };
    const outcome = await ctx.hub.request<ReplayOutcome & { remaining?: number }>({
      method: 'POST',
      path: '/v1/dead-letters:replay',
      body,
      credential: operator(ctx.io),
      hints: NOT_FOUND,
    });
    if (ctx.json) ctx.io.out(json(outcome));
    else ctx.io.out(formatOutcome(outcome));
    if (outcome.skipped.length > 0) {
      throw new CliFailure(
        EXIT.refused,
        [`${plural(outcome.skipped.length, 'dead letter was', 'dead letters were')} not replayed${ctx.json ? ' (see "skipped")' : ' (reasons above)'}`],
        'lgsp dead-letters show <id> tells why each failed; letters replayed already show with dead-letters list --all.',
      );
    }
  },
};

function formatOutcome(o: ReplayOutcome & { remaining?: number }): string {
  const lines = [o.replayed.length > 0 ? `replayed ${plural(o.replayed.length, 'dead letter')}: ${o.replayed.join(', ')}` : 'replayed nothing'];
  if (o.skipped.length > 0)
    lines.push(
      `skipped ${o.skipped.length}:`,
      table(
        ['id', 'reason'],
        o.skipped.map((s) => [s.id, s.reason]),
      ),
    );
  if (o.remaining) lines.push(`${o.remaining} more remain: run the same command again.`);
  if (o.replayed.length > 0)
    lines.push('their deliveries are pending again; follow one with: lgsp trace <hub id> (lgsp dead-letters list --all shows the hub ids)');
  return lines.join('\n');
}

function formatLetter(l: DeadLetterDetail): string {
  const head = fields([
    ['id', l.id],
    ['at', l.at],
    ['connector', l.connector],
    ['agency', l.recipientAgency],
    ['stage', l.stage],
    ['status', l.status === undefined ? undefined : `HTTP ${l.status}`],
    ['reason', l.reason],
    ['hub id', l.hubId],
    ['message', l.message && `${l.message.id} from ${l.message.source}`],
    ['type', l.message?.type],
    ['subject', l.message?.subject],
    ['replayed', l.replayed ? l.replayed.at : 'no'],
  ]);
  const sections = [head];
  if (l.attempts && l.attempts.length > 0) {
    sections.push(
      `attempts\n${table(
        ['attempt', 'at', 'outcome', 'status', 'reason'],
        l.attempts.map((a) => [String(a.attempt), a.at, a.outcome, cell(a.status), clip(a.reason, 60)]),
      )}`,
    );
  }
  if (l.response) sections.push(`recipient's answer\n${l.response}`);
  if (l.original) sections.push(`original message (${l.original.encoding})\n${pretty(l.original)}`);
  const hints = [`replay it: lgsp dead-letters replay ${l.id}`, ...(l.hubId ? [`trace it: lgsp trace ${l.hubId}`] : [])];
  return [...sections, hints.join('\n')].join('\n\n');
}

function pretty(original: NonNullable<DeadLetterDetail['original']>): string {
  if (original.encoding !== 'utf8') return original.data;
  try {
    return json(JSON.parse(original.data));
  } catch {
    return original.data;
  }
}

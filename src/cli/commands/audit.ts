/**
 * The operators' audit trail: `lgsp audit [--operator <name>] [--action <text>] [--since <1h | ISO
 * time>] [--limit <n>]`, newest first. `--since` takes a duration back from now (`30m`, `24h`) or
 * an ISO 8601 time. `lgsp audit verify [--topic events|audit|service-calls]`: the hub checks the hash
 * chains of a records topic (`GET /v1/audit:verify`) and this names the first broken link of each partition.
 */
import { parseDuration } from '../../config/duration.ts';
import type { AuditEntry } from '../../operators/audit-entry.ts';
import type { ChainReport } from '../../tracking/chain-verify.ts';
import { cell, CliFailure, EXIT, json, plural, table } from '../output.ts';
import { operator, positionals, stringOption, type Command } from './command.ts';

export const audit: Command = {
  words: ['audit'],
  usage: '[--operator <name>] [--action <text>] [--since <1h | ISO time>] [--limit <n>]',
  summary: "the operators' actions and refused attempts, newest first",
  options: { operator: { type: 'string' }, action: { type: 'string' }, since: { type: 'string' }, limit: { type: 'string' } },
  async run(ctx) {
    positionals(ctx, this, []);
    const answer = await ctx.hub.request<{ entries: AuditEntry[] }>({
      method: 'GET',
      path: '/v1/audit',
      query: {
        operator: stringOption(ctx, 'operator'),
        action: stringOption(ctx, 'action'),
        since: since(stringOption(ctx, 'since')),
        limit: stringOption(ctx, 'limit'),
      },
      credential: operator(ctx.io),
      hints: { 'validation-failed': 'fix the options named above (the path is the option): --since 1h or an ISO time, --limit 1 to 1000.' },
    });
    if (ctx.json) return ctx.io.out(json(answer));
    if (answer.entries.length === 0) return ctx.io.out('no audit records match');
    const rows = answer.entries.map((e) => [
      e.time,
      e.operator ?? `(refused${e.claimed ? ` as ${e.claimed}` : ''})`,
      cell(e.role),
      e.action,
      cell(
        Object.entries({ ...e.params, ...e.body })
          .map(([k, v]) => `${k}=${cell(v)}`)
          .join(' '),
      ),
      `${e.outcome}${e.problem ? ` ${e.problem}` : ''}`,
    ]);
    ctx.io.out(`${table(['time', 'operator', 'role', 'action', 'target', 'outcome'], rows)}\n${plural(answer.entries.length, 'record')}`);
  },
};

export const auditVerify: Command = {
  words: ['audit', 'verify'],
  usage: '[--topic events|audit|service-calls]',
  summary: 'check that no record of lgsp.events (or lgsp.audit, lgsp.service-calls) was rewritten, inserted or deleted',
  options: { topic: { type: 'string' } },
  async run(ctx) {
    positionals(ctx, this, []);
    const report = await ctx.hub.request<ChainReport>({
      method: 'GET',
      path: '/v1/audit:verify',
      query: { topic: stringOption(ctx, 'topic') },
      credential: operator(ctx.io),
      hints: { 'validation-failed': '--topic is events, audit or service-calls.' },
    });
    if (ctx.json) ctx.io.out(json(report));
    const summary = `${report.topic}: ${plural(report.records, 'record')}, ${plural(report.chains, 'chain')}, ${plural(report.checkpoints, 'signed checkpoint')}${report.unchained > 0 ? `, ${report.unchained} written before chaining` : ''}`;
    if (report.ok) return ctx.json ? undefined : ctx.io.out(`${summary}: every chain holds`);
    throw new CliFailure(
      EXIT.refused,
      [
        summary,
        ...report.broken.map((b) => `partition ${b.partition} offset ${b.offset}${b.writer ? ` (writer ${b.writer}, seq ${b.seq})` : ''}: ${b.reason}`),
      ],
      'the records named were changed outside the hub: compare them with a backup, and find who can write to the topic (its ACLs) before trusting later records.',
    );
  },
};

/** `1h` → the ISO time an hour ago; anything else as it is (the hub checks it). */
function since(value: string | undefined): string | undefined {
  return value !== undefined && /^\d+(ms|s|m|h)$/.test(value) ? new Date(Date.now() - parseDuration(value)).toISOString() : value;
}

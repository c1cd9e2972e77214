/**
 * `lgsp trace <hub id | trace URL>` (`GET /v1/messages/{id}`): the message, the summary, one row
 * per recipient (state, attempts, last error, business status), then the timeline. The token is
 * `--token`, else `LGSP_ADMIN_TOKEN` (an operator sees every message), else `LGSP_CONNECTOR_TOKEN`
 * (a connector sees what it sent or received).
 */
import type { Credential } from '../http-client.ts';
import type { RecipientTrace, TimelineEntry, Trace } from '../../tracking/trace.ts';
import { cell, clip, fields, json, table, usageError } from '../output.ts';
import { connectorToken, operator, positionals, stringOption, type Command, type CommandContext } from './command.ts';

const HUB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const trace: Command = {
  words: ['trace'],
  usage: '<hub id | trace URL> [--token <token>]',
  summary: 'where a message is: its recipients, their delivery states, the timeline',
  options: { token: { type: 'string' } },
  async run(ctx) {
    const [target] = positionals(ctx, this, ['hub id | trace URL']);
    const hubId = hubIdOf(target!, ctx.hub.baseUrl);
    const answer = await ctx.hub.request<Trace>({
      method: 'GET',
      path: `/v1/messages/${encodeURIComponent(hubId)}`,
      credential: credentialFor(ctx),
      hints: {
        'not-found':
          'check the hub id (lgsp send prints it); a message accepted a moment ago shows up within a second; a connector sees only the messages it sent or received.',
      },
    });
    ctx.io.out(ctx.json ? json(answer) : formatTrace(answer));
  },
};

/** `--token`, else LGSP_ADMIN_TOKEN, else LGSP_CONNECTOR_TOKEN. */
export function credentialFor(ctx: CommandContext): Credential {
  if (stringOption(ctx, 'token') || !ctx.io.env.LGSP_ADMIN_TOKEN) {
    const connector = connectorToken(ctx);
    if (connector) return connector;
  }
  return operator(ctx.io);
}

/** A hub id, `/v1/messages/<id>` or a full trace URL of the hub the command talks to. */
export function hubIdOf(target: string, hubUrl: string): string {
  let path = target;
  if (/^https?:\/\//i.test(target)) {
    const url = new URL(target);
    if (url.origin !== new URL(hubUrl).origin)
      throw usageError(`the trace URL is on ${url.origin}, but the hub is ${hubUrl}`, `pass --hub ${url.origin} to ask that hub.`);
    path = url.pathname;
  }
  const id = path.replace(/^\/?v1\/messages\//, '').replace(/\/+$/, '');
  if (!HUB_ID.test(id))
    throw usageError(
      `"${target}" is not a hub id or a trace URL`,
      'give the hub id lgsp send printed (e.g. 3f2a9c1e-…), or the "trace" of the hub\'s answer (/v1/messages/<hub id>).',
    );
  return id;
}

/** The readable trace: header, summary, recipients table, timeline. */
export function formatTrace(t: Trace): string {
  const m = t.message;
  const header = fields([
    ['message', `${m.id}  (hub id ${t.hubId})`],
    ['type', m.type],
    ['source', `${m.source}  via connector ${m.connector}`],
    ['subject', m.subject],
    ['to', m.to],
    ['correlation', m.correlationid],
    ['time', m.time],
    ['accepted', m.acceptedAt],
    ['signature', m.signature && [m.signature.status, m.signature.signer && `signed by ${m.signature.signer}`, m.signature.reason].filter(Boolean).join(', ')],
  ]);
  const sections = [header, `summary: ${t.summary}`];
  if (t.recipients.length > 0) {
    sections.push(table(['recipient', 'agency', 'state', 'attempts', 'last error', 'business status'], t.recipients.map(recipientRow)));
  }
  if (t.unreachable.length > 0) sections.push(`unreachable (no connector for ${m.type}): ${t.unreachable.join(', ')}`);
  const start = Date.parse(m.acceptedAt);
  sections.push(
    `timeline\n${table(
      ['time', 'elapsed', 'event', 'recipient', 'detail'],
      t.timeline.map((e) => timelineRow(e, start)),
    )}`,
  );
  const dead = t.recipients.filter((r) => r.state === 'dead').map((r) => r.connector);
  if (dead.length > 0)
    sections.push(dead.map((c) => `dead-lettered for ${c}: see why with lgsp dead-letters list --connector ${c}, then replay it.`).join('\n'));
  return sections.join('\n\n');
}

/** `HTTP 422 <reason>`, without repeating a status the reason already names. */
function failure(status: number | undefined, reason: string): string {
  return status === undefined || reason.includes(String(status)) ? reason : `HTTP ${status} ${reason}`;
}

function recipientRow(r: RecipientTrace): string[] {
  const e = r.lastError;
  const error = e ? clip(`${e.stage ? `${e.stage}: ` : ''}${failure(e.status, e.reason)}`, 50) : '-';
  const business = r.businessStatus ? `${r.businessStatus.code}${r.businessStatus.name ? ` ${r.businessStatus.name}` : ''}` : '-';
  const state = r.state === 'retrying' && r.nextAttemptAt ? `retrying (next ${r.nextAttemptAt})` : r.state;
  return [r.connector, r.agency, state, String(r.attempts), error, business];
}

function timelineRow(e: TimelineEntry, start: number): string[] {
  const offset = Number.isNaN(start) ? '-' : `+${((Date.parse(e.at) - start) / 1000).toFixed(3)}s`;
  const who = e.kind !== 'accepted' && 'connector' in e ? e.connector : '-';
  return [e.at, offset, e.kind, who, clip(detailOf(e), 80)];
}

function detailOf(e: TimelineEntry): string {
  switch (e.kind) {
    case 'accepted':
      return `from connector ${e.connector}`;
    case 'routed': {
      const to = e.recipients.map((r) => `${r.connector} (${r.agency})`).join(', ') || 'nobody';
      return `to ${to}${e.unreachable.length ? `; unreachable ${e.unreachable.join(', ')}` : ''}`;
    }
    case 'retried':
      return `attempt ${e.attempt} failed: ${failure(e.status, e.reason)}; next at ${e.nextAttemptAt}`;
    case 'dead-lettered':
      return `attempt ${e.attempt}, stage ${e.stage}: ${failure(e.status, e.reason)}`;
    case 'replayed':
      return `dead letter ${e.deadLetter} replayed`;
    case 'delivered':
      return `attempt ${e.attempt}${e.status !== undefined ? `, HTTP ${e.status}` : ''}, ${e.latencyMs < 1000 ? `${e.latencyMs} ms` : `${(e.latencyMs / 1000).toFixed(1)} s`} after acceptance`;
    case 'status-reported':
      return `${e.agency}: ${e.statusCode}${e.statusName ? ` ${e.statusName}` : ''} (status message ${e.statusHubId})`;
    default:
      return cell(e);
  }
}

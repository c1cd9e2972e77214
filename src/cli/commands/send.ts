/**
 * `lgsp send <event.json> [--token <connector token>]`: hands a message to the hub as a connector
 * (`POST /v1/messages`). A file holding one JSON object is sent as `application/cloudevents+json`;
 * an array as a batch (`application/cloudevents-batch+json`, all or nothing). The file's bytes go
 * as they are, so the paths in the hub's errors point into the file.
 */
import { json, plural, table, usageError } from '../output.ts';
import { connectorToken, parseJsonFile, positionals, readText, type Command } from './command.ts';

interface Accepted {
  id: string;
  source: string;
  trace: string;
}

export const send: Command = {
  words: ['send'],
  usage: '<event.json> [--token <connector token>]',
  summary: 'send one event (a JSON object) or a batch (a JSON array) as a connector',
  options: { token: { type: 'string' } },
  async run(ctx) {
    const [file] = positionals(ctx, this, ['event.json']);
    const text = await readText(file!);
    const parsed = parseJsonFile(file!, text);
    if (typeof parsed !== 'object' || parsed === null)
      throw usageError(
        `${file} holds neither an event (a JSON object) nor a batch (a JSON array of events)`,
        'put one CloudEvent, or an array of them, in the file.',
      );
    const batch = Array.isArray(parsed);
    const credential = connectorToken(ctx);
    if (!credential)
      throw usageError(
        'no connector token',
        "pass the sending connector's token with --token <token> or LGSP_CONNECTOR_TOKEN (it was printed by lgsp connectors register).",
      );
    const answer = await ctx.hub.request<{ accepted: Accepted[] }>({
      method: 'POST',
      path: '/v1/messages',
      credential,
      body: text,
      contentType: batch ? 'application/cloudevents-batch+json' : 'application/cloudevents+json',
      hints: { 'validation-failed': `fix each path above in ${file}${batch ? " (it starts with the event's index)" : ''}; nothing was accepted.` },
    });
    if (ctx.json) return ctx.io.out(json(answer));
    const rows = answer.accepted.map((a) => [a.id, a.source, hubIdOf(a.trace)]);
    const first = answer.accepted[0];
    ctx.io.out(
      `accepted ${plural(answer.accepted.length, 'message')}\n${table(['id', 'source', 'hub id'], rows)}${first ? `\nfollow it with: lgsp trace ${hubIdOf(first.trace)}` : ''}`,
    );
  },
};

/** `/v1/messages/<hub id>` → `<hub id>`. */
function hubIdOf(trace: string): string {
  return trace.split('/').pop() ?? trace;
}

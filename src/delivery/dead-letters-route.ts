/**
 * The dead-letter API (operators): list and filter, show one with its original bytes, replay one
 * (`POST /v1/dead-letters/{id}:replay`) or many (`POST /v1/dead-letters:replay`, by connector and
 * time range or by ids). Ids are `<partition>:<offset>` on `lgsp.dead-letters`. Both replay routes
 * answer `200 { replayed: [ids], skipped: [{ id, reason }] }`; a failed Kafka transaction is `503`
 * with nothing replayed. The query and the replay body are checked by their schemas here.
 */
import { Type } from '@sinclair/typebox';
import { HubError } from '../contract/problems.ts';
import { json, named, route, stringEnum, type Route } from '../http/route.ts';
import type { DeadLetterReplayer } from './dead-letter-replay.ts';
import type { DeadLetterView } from './dead-letter-view.ts';
import type { DeadLetterStage } from './dead-letters.ts';

const STAGES: readonly DeadLetterStage[] = ['decode', 'validate', 'route', 'encode', 'deliver'];
const LETTER_ID = '^\\d+:\\d+$';
/** One range replay writes at most this many letters (one transaction); the answer says how many remain. */
const MAX_REPLAY = 10_000;
const time = (description: string) => Type.String({ format: 'date-or-date-time', description });

const LETTER = Type.Object({ id: Type.String({ pattern: LETTER_ID, description: 'A dead-letter id `<partition>:<offset>`, as listed.', examples: ['0:42'] }) });

const LIST_QUERY = Type.Object(
  {
    connector: Type.Optional(Type.String({ minLength: 1, description: 'Only this connector.' })),
    stage: Type.Optional(stringEnum(STAGES, { description: 'Only this stage.' })),
    reason: Type.Optional(Type.String({ description: 'Only letters whose reason contains this (any case).' })),
    from: Type.Optional(time('Written at or after (ISO 8601).')),
    to: Type.Optional(time('Written at or before (ISO 8601).')),
    includeReplayed: Type.Boolean({ default: false, description: 'Also letters replayed already.' }),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'At most this many.' }),
  },
  { additionalProperties: false },
);

const REPLAY_BODY = Type.Object(
  {
    connector: Type.Optional(Type.String({ minLength: 1 })),
    from: Type.Optional(time('With connector: letters written at or after.')),
    to: Type.Optional(time('With connector: letters written at or before.')),
    ids: Type.Optional(Type.Array(Type.String({ pattern: LETTER_ID }), { minItems: 1, maxItems: MAX_REPLAY })),
  },
  {
    additionalProperties: false,
    // `{ connector, from?, to? }` or `{ ids, connector? }`: with ids, no time range; without, a connector.
    if: { properties: { ids: true }, required: ['ids'] },
    then: { properties: { from: false, to: false } },
    else: { properties: { connector: true }, required: ['connector'] },
  },
);

const DEAD_LETTER = named('DeadLetter', {
  type: 'object',
  description: 'A record of `lgsp.dead-letters`, id `<partition>:<offset>`.',
  required: ['id', 'stage', 'connector', 'reason', 'at'],
  properties: {
    id: { type: 'string', pattern: LETTER_ID },
    stage: { type: 'string', description: 'decode, validate, route, encode or deliver.' },
    connector: { type: 'string' },
    reason: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
    hubId: { type: 'string' },
    recipientAgency: { type: 'string' },
    status: { type: 'integer', description: "The recipient's HTTP status (stage deliver)." },
    response: { type: 'string', description: "The start of the recipient's answer." },
    attempts: { type: 'array', items: { type: 'object' }, description: 'Earlier failed attempts.' },
    message: { type: 'object', properties: { id: { type: 'string' }, source: { type: 'string' }, type: { type: 'string' }, subject: { type: 'string' } } },
    replayed: { type: 'object', properties: { at: { type: 'string', format: 'date-time' } } },
    origin: {
      type: 'object',
      description: 'Where the failed record was read from (stages route, encode, deliver): its topic, partition and offset.',
      required: ['topic', 'partition', 'offset'],
      properties: { topic: { type: 'string' }, partition: { type: 'integer' }, offset: { type: 'string' } },
    },
  },
});

const DEAD_LETTER_DETAIL = named('DeadLetterDetail', {
  allOf: [
    DEAD_LETTER,
    {
      required: ['original'],
      properties: {
        original: {
          description: 'The original bytes: UTF-8 text when they decode cleanly, else base64.',
          oneOf: [
            { type: 'null' },
            { type: 'object', required: ['encoding', 'data'], properties: { encoding: { enum: ['utf8', 'base64'] }, data: { type: 'string' } } },
          ],
        },
      },
    },
  ],
});

const REPLAY_OUTCOME = named('ReplayOutcome', {
  type: 'object',
  required: ['replayed', 'skipped'],
  properties: {
    replayed: { type: 'array', items: { type: 'string' }, description: 'Letters whose delivery is pending again.' },
    skipped: { type: 'array', items: { type: 'object', required: ['id', 'reason'], properties: { id: { type: 'string' }, reason: { type: 'string' } } } },
    remaining: { type: 'integer', description: `A range replay writes at most ${MAX_REPLAY} letters; this many are left for another call.` },
  },
});

export function deadLettersRoutes(view: DeadLetterView, replayer: DeadLetterReplayer): Route[] {
  return [
    route({
      method: 'get',
      path: '/v1/dead-letters',
      auth: 'operator',
      tag: 'dead-letters',
      summary: 'List dead letters, newest first',
      query: LIST_QUERY,
      responses: {
        200: json({ type: 'object', required: ['deadLetters'], properties: { deadLetters: { type: 'array', items: DEAD_LETTER } } }, 'The matching letters.'),
      },
      handle({ query }) {
        checkRange(query.from, query.to);
        return { status: 200, json: { deadLetters: view.list(query) } };
      },
    }),
    route({
      method: 'get',
      path: '/v1/dead-letters/{id}',
      auth: 'operator',
      tag: 'dead-letters',
      summary: 'Show a dead letter with its original bytes',
      params: LETTER,
      responses: { 200: json(DEAD_LETTER_DETAIL, 'The letter.') },
      problems: ['not-found'],
      handle({ params: { id } }) {
        const letter = view.get(id);
        if (!letter) throw new HubError('not-found', `No dead letter "${id}" (ids are <partition>:<offset>, as GET /v1/dead-letters lists them).`);
        return { status: 200, json: letter };
      },
    }),
    route({
      method: 'post',
      path: '/v1/dead-letters/{id}:replay',
      auth: 'operator',
      tag: 'dead-letters',
      summary: 'Replay one dead letter',
      params: LETTER,
      responses: { 200: json(REPLAY_OUTCOME, 'Replayed or skipped (with the reason).') },
      problems: ['not-found', 'kafka-unavailable'],
      async handle({ params: { id } }) {
        if (!view.raw(id)) throw new HubError('not-found', `No dead letter "${id}".`);
        return { status: 200, json: await replayer.replay([id]) };
      },
    }),
    route({
      method: 'post',
      path: '/v1/dead-letters:replay',
      auth: 'operator',
      tag: 'dead-letters',
      summary: 'Replay dead letters by connector and time range, or by ids',
      description:
        'Either `{ connector, from?, to? }` (stage deliver, oldest first, one Kafka transaction) or `{ ids, connector? }`. A failed transaction is 503 with nothing replayed.',
      body: { content: { 'application/json': REPLAY_BODY }, maxBytes: 1024 * 1024 },
      responses: { 200: json(REPLAY_OUTCOME, 'Replayed and skipped letters.') },
      problems: ['kafka-unavailable'],
      async handle({ body: { connector, from, to, ids } }) {
        if (ids) {
          const connectorOf = (id: string) => view.raw(id)?.headers.lgsp_dlq_connector;
          const foreign = new Set(ids.filter((id) => connector !== undefined && view.raw(id) && connectorOf(id) !== connector));
          const outcome = await replayer.replay(ids.filter((id) => !foreign.has(id)));
          const elsewhere = [...foreign].map((id) => ({ id, reason: `belongs to connector "${connectorOf(id) ?? ''}", not "${connector}"` }));
          return { status: 200, json: { replayed: outcome.replayed, skipped: [...outcome.skipped, ...elsewhere] } };
        }
        checkRange(from, to);
        // Oldest first, so a recipient receives replayed messages in their original order.
        const pending = view.list({ connector, from, to, stage: 'deliver', limit: Infinity }).reverse();
        const outcome = await replayer.replay(pending.slice(0, MAX_REPLAY).map((e) => e.id));
        return { status: 200, json: { ...outcome, ...(pending.length > MAX_REPLAY ? { remaining: pending.length - MAX_REPLAY } : {}) } };
      },
    }),
  ];
}

/** The one check no schema states: a range does not end before it starts. */
function checkRange(from: string | undefined, to: string | undefined): void {
  if (from && to && Date.parse(from) > Date.parse(to)) {
    throw new HubError('validation-failed', '1 problem in the time range; see "errors".', { errors: [{ path: '/to', message: 'must not be before from' }] });
  }
}

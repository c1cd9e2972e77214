/**
 * `POST /v1/messages`: one event (`application/cloudevents+json`) or a batch
 * (`application/cloudevents-batch+json`, all-or-nothing, at most LGSP_MAX_BATCH). The route table
 * parses the body; the message intake checks each event (envelope, data, recipients) and answers
 * per event, so the schemas here describe the body for `/openapi.json` and the intake checks it.
 */
import { HubError } from '../contract/problems.ts';
import type { SchemaSet } from '../contract/schema-set.ts';
import { contractRef, json, named, route, type JsonSchema, type Route } from '../http/route.ts';
import type { MessageIntake } from './message-intake.ts';

const SINGLE = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';

export interface MessagesRouteOptions {
  readonly intake: MessageIntake;
  readonly schemas: SchemaSet;
  /** LGSP_MAX_BATCH. */
  readonly maxBatchSize: number;
}

/** `202 { accepted }`: the answer of both ways in (`POST /v1/messages` and a connector's inbound route). */
export const ACCEPTED = named('Accepted', {
  type: 'object',
  required: ['accepted'],
  properties: {
    accepted: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'source', 'trace'],
        properties: {
          id: { type: 'string' },
          source: { type: 'string' },
          trace: {
            type: 'string',
            description: '`/v1/messages/<hub id>`: where to follow the message.',
            examples: ['/v1/messages/9b2f3c1e-0d5c-5a4e-8f2a-1c7d9e0b6a31'],
          },
        },
      },
    },
  },
});

/** One message: the envelope with `data` matching the schema of its `type` (the version `dataschema` names, else the latest). */
function cloudEvent(schemas: SchemaSet): JsonSchema {
  return named('CloudEvent', {
    description:
      'One message: the envelope (Envelope) with `data` matching the schema of its `type`: the version whose $id `dataschema` names, or the latest without it. Types are the components named `<type>.v<N>`. Recipients in `to` must also be in the agency directory (checked by the hub, `unknown-recipient`).',
    allOf: [
      contractRef('envelope.schema.json'),
      {
        anyOf: schemas.messageTypes.flatMap((type) => {
          const [latest, ...older] = schemas.schemaUris(type);
          return [
            { required: ['type'], not: { required: ['dataschema'] }, properties: { type: { const: type }, data: { $ref: latest } } },
            ...[latest, ...older].map((uri) => ({
              required: ['type', 'dataschema'],
              properties: { type: { const: type }, dataschema: { const: uri }, data: { $ref: uri } },
            })),
          ];
        }),
      },
    ],
  });
}

export function messagesRoutes({ intake, schemas, maxBatchSize }: MessagesRouteOptions): Route[] {
  const event = cloudEvent(schemas);
  return [
    route({
      method: 'post',
      path: '/v1/messages',
      auth: 'connector',
      tag: 'messages',
      summary: 'Send one message or a batch',
      description: `Answered once Kafka acknowledged every message (acks from all in-sync replicas). A batch (at most ${maxBatchSize} events, LGSP_MAX_BATCH) is all-or-nothing. Re-sending the same source+id is answered with the first result and not routed twice. A connector sends only as its own agency (\`source\` urn:lgsp:agency:<its agency>).`,
      body: {
        content: { [SINGLE]: event, [BATCH]: { type: 'array', minItems: 1, maxItems: maxBatchSize, items: event } },
        checkedBy: 'MessageIntake.accept: each event against the envelope, its type and the directory, answered per event',
      },
      responses: { 202: json(ACCEPTED, 'Accepted: each message with its trace.') },
      problems: ['batch-too-large', 'validation-failed', 'unknown-message-type', 'unknown-recipient', 'source-not-allowed', 'kafka-unavailable'],
      async handle({ caller, body, mediaType }) {
        const batch = mediaType === BATCH;
        if (batch && (!Array.isArray(body) || body.length === 0)) {
          throw new HubError('validation-failed', 'A batch is a non-empty JSON array of CloudEvents.', {
            errors: [{ path: '', message: 'expected a non-empty array of events' }],
          });
        }
        const items: unknown[] = batch ? (body as unknown[]) : [body];
        return { status: 202, json: { accepted: await intake.accept(caller, items, batch) } };
      },
    }),
  ];
}

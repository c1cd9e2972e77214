/**
 * `GET /v1/audit:verify?topic=events|audit|service-calls` (role operator): the hub walks a
 * records topic server-side, so no operator needs Kafka credentials, and answers whether its hash
 * chains hold (`chain-verify.ts`), naming the first broken link of each partition. It reads the
 * whole topic: an operator's check, not a monitoring probe.
 */
import { Type } from '@sinclair/typebox';
import type { Kafka } from 'kafkajs';
import type { JSONWebKeySet } from 'jose';
import { HubError } from '../contract/problems.ts';
import { json, named, route, type Route } from '../http/route.ts';
import { readForVerify, verifyChains } from './chain-verify.ts';

/** The chained topics: the name `?topic=` gives each, and its key in the hub's topic names. */
const TOPIC_KEYS = { events: 'events', audit: 'audit', 'service-calls': 'serviceCalls' } as const;
export const VERIFIED_TOPICS = Object.keys(TOPIC_KEYS) as (keyof typeof TOPIC_KEYS)[];

const QUERY = Type.Object(
  {
    topic: Type.Union(
      VERIFIED_TOPICS.map((t) => Type.Literal(t)),
      {
        default: 'events',
        description: '`events` (what happened to messages), `audit` (what operators did) or `service-calls` (who called which data-sharing service).',
      },
    ),
  },
  { additionalProperties: false },
);

const REPORT = named('AuditChainReport', {
  type: 'object',
  required: ['topic', 'ok', 'records', 'unchained', 'chains', 'checkpoints', 'broken'],
  properties: {
    topic: { type: 'string' },
    ok: { type: 'boolean', description: 'True when every chain of every partition holds.' },
    records: { type: 'integer' },
    unchained: { type: 'integer', description: 'Records written before the hub chained them, at the start of a partition.' },
    chains: { type: 'integer', description: 'Writer chains seen.' },
    checkpoints: { type: 'integer', description: 'Signed checkpoints verified.' },
    broken: {
      type: 'array',
      description: 'The first broken link of each partition that has one.',
      items: {
        type: 'object',
        required: ['partition', 'offset', 'reason'],
        properties: {
          partition: { type: 'integer' },
          offset: { type: 'string' },
          writer: { type: 'string' },
          seq: { type: 'integer' },
          reason: { type: 'string' },
        },
      },
    },
  },
});

export interface AuditVerifyParts {
  readonly kafka: Kafka;
  readonly topics: Readonly<Record<(typeof TOPIC_KEYS)[keyof typeof TOPIC_KEYS], string>>;
  /** The hub's public keys, every one ever used (`HubKeys.jwks`). */
  readonly jwks: () => JSONWebKeySet;
  /** Prefix of the throwaway consumer groups (covered by the hub's ACL): `<prefix>audit-verify-`. */
  readonly groupPrefix: string;
}

export function auditVerifyRoutes({ kafka, topics, jwks, groupPrefix }: AuditVerifyParts): Route[] {
  return [
    route({
      method: 'get',
      path: '/v1/audit:verify',
      auth: 'operator',
      role: 'operator',
      tag: 'operators',
      summary: 'Check the hash chains of a records topic',
      description:
        'Walks `lgsp.events`, `lgsp.audit` or `lgsp.service-calls` from its beginning and names the first broken link of each partition (docs/operators.md).',
      query: QUERY,
      responses: { 200: json(REPORT, 'The report; `ok` false names where the chain breaks.') },
      problems: ['kafka-unavailable'],
      handle: async ({ query }) => {
        const topic = topics[TOPIC_KEYS[query.topic]];
        let read;
        try {
          read = await readForVerify(kafka, topic, groupPrefix);
        } catch (err) {
          throw new HubError('kafka-unavailable', `Kafka did not let the hub read ${topic} to the end; nothing was checked. Retry later.`, {
            retryAfterSeconds: 5,
            cause: err,
          });
        }
        return { status: 200, json: await verifyChains(topic, read.records, jwks(), read.logStart) };
      },
    }),
  ];
}

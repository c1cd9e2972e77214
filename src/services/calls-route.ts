/**
 * The call log of a data-sharing service, from this instance's view of `lgsp.service-calls`
 * (`call-log-view.ts`): `GET /v1/services/{id}/calls` lists its calls newest first, filtered;
 * `GET /v1/service-calls/{callId}` shows one call, by the id both sides got as `X-LGSP-Call-Id`.
 * Operators and the service's provider connector see every call of the service; any other
 * connector sees only the calls it made, and a call it may not see is `404`, as an unknown one.
 */
import { Type } from '@sinclair/typebox';
import { HubError } from '../contract/problems.ts';
import { json, named, route, stringEnum, type Caller, type Route } from '../http/route.ts';
import type { RegistryStore } from '../registry/registry-store.ts';
import { visibleConsumer, type CallLogView } from './call-log-view.ts';
import { CALL_OUTCOMES, CallRecordSchema, OfficerSchema, PurposeSchema, ServiceIdSchema, type CallOutcome, type CallRecord } from './service-record.ts';

const OUTCOMES = Object.keys(CALL_OUTCOMES) as CallOutcome[];

const time = (description: string) => Type.String({ format: 'date-or-date-time', description });

const QUERY = Type.Object(
  {
    consumer: Type.Optional(
      Type.String({ minLength: 1, description: 'Only calls of this consumer connector (a connector that is not the provider sees only its own anyway).' }),
    ),
    consumerAgency: Type.Optional(Type.String({ minLength: 1, description: 'Only calls of connectors of this agency (its code, e.g. 000.02.05.H49).' })),
    officer: Type.Optional(OfficerSchema),
    purpose: Type.Optional(PurposeSchema),
    outcome: Type.Optional(stringEnum(OUTCOMES, { description: 'Only calls that ended so.' })),
    status: Type.Optional(Type.Integer({ minimum: 100, maximum: 599, description: 'Only calls answered with this HTTP status.' })),
    since: Type.Optional(time('Only calls at or after this time (ISO 8601).')),
    until: Type.Optional(time('Only calls before this time (ISO 8601).')),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'At most this many.' }),
  },
  { additionalProperties: false },
);

const CALL_RECORD = named('CallRecord', CallRecordSchema);

type CallsRegistry = Pick<RegistryStore, 'service'>;

export function callsRoutes(view: CallLogView, registry: CallsRegistry): Route[] {
  const iso = (t: string | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
  return [
    route({
      method: 'get',
      path: '/v1/services/{id}/calls',
      auth: 'caller',
      tag: 'services',
      summary: 'The call log of a service, newest first',
      description:
        "Operators and the service's provider connector see every call; any other connector sees only its own calls. An operator also sees the calls of a service since deleted from the catalogue.",
      params: Type.Object({ id: ServiceIdSchema }),
      query: QUERY,
      responses: { 200: json({ type: 'object', required: ['calls'], properties: { calls: { type: 'array', items: CALL_RECORD } } }, 'Matching calls.') },
      problems: ['not-found'],
      handle: ({ caller, params, query }) => {
        const provider = registry.service(params.id)?.provider;
        if (provider === undefined && !(caller.operator && view.hasCalls(params.id))) {
          throw new HubError('not-found', `No service "${params.id}" in the catalogue; GET /v1/services lists them.`);
        }
        const own = visibleConsumer(caller, provider);
        const { since, until, ...filters } = query;
        // A consumer asking for another consumer's calls gets none, rather than its own.
        const calls =
          own !== undefined && filters.consumer !== undefined && filters.consumer !== own
            ? []
            : view.list({ ...filters, service: params.id, consumer: own ?? filters.consumer, since: iso(since), until: iso(until) });
        return { status: 200, json: { calls } };
      },
    }),
    route({
      method: 'get',
      path: '/v1/service-calls/{callId}',
      auth: 'caller',
      tag: 'services',
      summary: 'One call of a data-sharing service, by its call id',
      description: 'The id is the `X-LGSP-Call-Id` both sides got. Visible to operators, the provider of its service and the consumer that made it.',
      params: Type.Object({ callId: Type.String({ minLength: 1, maxLength: 100, examples: ['0f8fad5b-d9cb-469f-a165-70867728950e'] }) }),
      responses: { 200: json(CALL_RECORD, 'The call.') },
      problems: ['not-found'],
      handle: ({ caller, params }) => {
        const call = view.get(params.callId);
        if (!call || !maySee(caller, call, registry)) {
          throw new HubError('not-found', `No call "${params.callId}" that you may see (this hub keeps the newest calls in memory; the topic keeps all).`);
        }
        return { status: 200, json: call };
      },
    }),
  ];
}

function maySee(caller: Caller, call: CallRecord, registry: CallsRegistry): boolean {
  const own = visibleConsumer(caller, registry.service(call.service)?.provider);
  return own === undefined || own === call.consumer;
}

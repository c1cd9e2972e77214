/**
 * `POST /v1/connectors/{id}/inbound`: a connector's native format (an edXML package, the national
 * portal's JSON), decoded by its kind's adapter into messages, then accepted exactly like
 * `POST /v1/messages` (same checks, same answers). Only with connector `{id}`'s own token.
 */
import { Type } from '@sinclair/typebox';
import { AdapterError } from '../../connectors/kit/adapter.ts';
import { HubError } from '../contract/problems.ts';
import { json, route, type Route } from '../http/route.ts';
import type { ConnectorKinds } from '../registry/connector-kinds.ts';
import type { RegistryStore } from '../registry/registry-store.ts';
import { senderOf, type MessageIntake } from './message-intake.ts';
import { ACCEPTED } from './messages-route.ts';

export function inboundRoutes(intake: MessageIntake, registry: RegistryStore, kinds: ConnectorKinds): Route[] {
  return [
    route({
      method: 'post',
      path: '/v1/connectors/{id}/inbound',
      auth: 'connector',
      tag: 'messages',
      summary: "Send in the connector's native format",
      description:
        "The connector's adapter decodes the body (an edXML package, the national portal's JSON) into messages, then they are accepted as by POST /v1/messages. Only with the token of connector {id}.",
      params: Type.Object({ id: Type.String({ description: 'The connector id.', examples: ['hcc-quang-ninh'] }) }),
      body: {
        content: {
          '*/*': Type.Unsafe<Buffer>({
            description: "Whatever the connector's kind decodes: an edXML package (application/xml), the national portal's JSON (application/json).",
          }),
        },
        read: 'bytes',
        checkedBy: "the connector kind's adapter (decode), then MessageIntake.accept",
      },
      responses: { 202: json(ACCEPTED, 'Accepted: each decoded message with its trace.') },
      problems: [
        'batch-too-large',
        'forbidden',
        'not-found',
        'decode-failed',
        'validation-failed',
        'unknown-message-type',
        'unknown-recipient',
        'source-not-allowed',
        'kafka-unavailable',
      ],
      async handle({ caller, params, body, headers }) {
        if (caller.id !== params.id) throw new HubError('forbidden', `This token belongs to connector "${caller.id}", not "${params.id}".`);
        const { manifest } = registry.connector(caller.id)!;
        const adapter = kinds.get(manifest.kind);
        if (!adapter?.decode) throw new HubError('not-found', `Connectors of kind "${manifest.kind}" take no inbound native payloads; use POST /v1/messages.`);
        let events;
        try {
          events = adapter.decode({ contentType: headers['content-type'] ?? '', body, headers: headers as Record<string, string> }, manifest);
        } catch (err) {
          if (!(err instanceof AdapterError)) throw err;
          throw new HubError('decode-failed', err.message, { errors: [{ path: err.path, message: err.message }] });
        }
        const accepted = await intake.accept(senderOf(manifest, adapter.relay ?? false), events, events.length > 1);
        return { status: 202, json: { accepted } };
      },
    }),
  ];
}

/**
 * `GET /v1/messages/{hub id}`: the trace of a message (`trace.ts`), for operators, for connectors
 * of the sending agency or of a recipient agency, and for the connector that handed it in (a
 * relay such as the national document axis). Anyone else gets the same `not-found` as for an
 * unknown id, so hub ids cannot be probed. `data` is not in the audit trail, so the trace never
 * carries it and `?include=data` is ignored.
 */
import { Type } from '@sinclair/typebox';
import { HubError } from '../contract/problems.ts';
import { json, named, route, type Route } from '../http/route.ts';
import type { TraceView } from './trace-view.ts';

const TRACE = named('Trace', {
  type: 'object',
  description: 'The trace of one message, from its audit events. Never carries `data`.',
  required: ['hubId', 'message', 'recipients', 'unreachable', 'unreachableReasons', 'statuses', 'summary', 'timeline'],
  properties: {
    hubId: { type: 'string' },
    message: {
      type: 'object',
      required: ['id', 'source', 'type', 'subject', 'connector', 'acceptedAt'],
      properties: {
        id: { type: 'string' },
        source: { type: 'string' },
        type: { type: 'string' },
        subject: { type: 'string' },
        time: { type: 'string' },
        to: { type: 'string' },
        correlationid: { type: 'string' },
        connector: { type: 'string', description: 'The connector that handed it in.' },
        acceptedAt: { type: 'string', format: 'date-time' },
        signature: {
          type: 'object',
          description:
            "The sender's signature as its kind checked it (edXML: XML-DSig, with the certificate it carries): valid, invalid or absent, and the signer.",
          required: ['status'],
          properties: { status: { enum: ['valid', 'invalid', 'absent'] }, signer: { type: 'string' }, reason: { type: 'string' } },
        },
        hubSignature: {
          type: 'string',
          pattern: '^[\\w-]+\\.[\\w-]+\\.[\\w-]+$',
          description:
            "The hub's own signature over the message as accepted: a compact JWS (EdDSA) whose payload names the attributes, the connector, acceptedAt and the SHA-256 of data; verify it against GET /.well-known/jwks.json (docs/signatures.md, lgsp verify).",
        },
        senderSignature: {
          type: 'string',
          pattern: '^[\\w-]+\\.[\\w-]+\\.[\\w-]+$',
          description:
            "The sender's own signature (the event's sendersignature), checked on ingest: a compact JWS over the attributes and the SHA-256 of data, by a key of its connector's auth.publicKeys (docs/signatures.md, chain of custody).",
        },
        senderKey: {
          type: 'object',
          description: "The sender's public JWK (as registered when the message was accepted) that verified senderSignature: verify it with any JOSE library.",
          required: ['kty', 'kid'],
          properties: {
            kty: { type: 'string' },
            crv: { type: 'string' },
            kid: { type: 'string' },
            x: { type: 'string' },
            y: { type: 'string' },
            alg: { type: 'string' },
          },
        },
      },
    },
    recipients: {
      type: 'array',
      items: {
        type: 'object',
        required: ['connector', 'agency', 'state', 'attempts'],
        properties: {
          connector: { type: 'string' },
          agency: { type: 'string' },
          state: { enum: ['pending', 'retrying', 'delivered', 'dead'] },
          attempts: { type: 'integer' },
          lastError: {
            type: 'object',
            properties: { reason: { type: 'string' }, status: { type: 'integer' }, stage: { type: 'string' }, at: { type: 'string' } },
          },
          nextAttemptAt: { type: 'string' },
          deliveredAt: { type: 'string' },
          latencyMs: { type: 'number' },
          businessStatus: { type: 'object', properties: { code: { type: 'string' }, name: { type: 'string' }, at: { type: 'string' } } },
        },
      },
    },
    unreachable: { type: 'array', items: { type: 'string' }, description: 'Agencies addressed that have no connector that accepts the type.' },
    unreachableReasons: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Why, per unreachable agency code (none for messages routed before the hub recorded reasons).',
      examples: [{ '000.00.05.H49': '000.00.05.H49 has no connector that accepts vn.gov.document.sent' }],
    },
    statuses: {
      type: 'array',
      items: {
        type: 'object',
        properties: { code: { type: 'string' }, name: { type: 'string' }, at: { type: 'string' }, agency: { type: 'string' }, statusHubId: { type: 'string' } },
      },
    },
    summary: { type: 'string', examples: ['3 recipients: 2 delivered, 1 retrying; 1 unreachable'] },
    timeline: { type: 'array', items: { type: 'object', required: ['kind', 'at'], properties: { kind: { type: 'string' }, at: { type: 'string' } } } },
  },
});

export function messagesTraceRoutes(view: TraceView): Route[] {
  return [
    route({
      method: 'get',
      path: '/v1/messages/{id}',
      auth: 'caller',
      tag: 'messages',
      summary: "A message's trace",
      description:
        'For operators, connectors of the sending or a recipient agency, and the connector that handed it in; anyone else gets the same 404 as for an unknown id.',
      params: Type.Object({
        id: Type.String({ description: 'The hub id (the end of `trace` in the 202 answer).', examples: ['9b2f3c1e-0d5c-5a4e-8f2a-1c7d9e0b6a31'] }),
      }),
      responses: { 200: json(TRACE, 'The trace.') },
      problems: ['not-found'],
      handle({ caller, params: { id: hubId } }) {
        const trace = view.trace(hubId);
        const allowed = caller.operator || view.visibleTo(hubId, caller.connector.agency) || trace?.message.connector === caller.connector.id;
        if (!trace || !allowed) throw new HubError('not-found', `No message "${hubId}" that this credential may see.`);
        return { status: 200, headers: { 'Cache-Control': 'no-store' }, json: trace };
      },
    }),
  ];
}

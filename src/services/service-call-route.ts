/**
 * `ANY /v1/services/{id}/{path+}`: a consumer connector's data-sharing call (`service-call.ts`),
 * declared once per method. The body is passed on as bytes (the service's request schema, when it
 * has one, checks JSON bodies); the answer is the provider's, with its status, or a problem.
 * The hub's own sub-resources of a service (`openapi.json`, `grants`, `calls`) are declared
 * before this route and so answer first: a provider path of those names cannot be called with
 * the methods they declare (docs/services.md, "Reserved paths").
 */
import { Type } from '@sinclair/typebox';
import { HubError } from '../contract/problems.ts';
import { METHODS, route, type Method, type Route } from '../http/route.ts';
import type { TransportRequest } from '../../connectors/kit/transport.ts';
import { CALL_HEADERS, METHODS_WITH_BODY, type ServiceCalls } from './service-call.ts';
import { ServiceIdSchema } from './service-record.ts';

const PARAMS = Type.Object({
  id: ServiceIdSchema,
  path: Type.String({ minLength: 1, maxLength: 2000, description: 'The path under the service (slashes allowed).', examples: ['citizens/001203004567'] }),
});

/** First segments under a service that name the hub's own sub-resources (`services-route.ts`, `calls-route.ts`). */
const RESERVED = ['openapi.json', 'grants', 'grants:refuse', 'calls'];

/** Refuses what must never reach a provider: the hub's own sub-paths, dot segments (`..` would leave the endpoint's base path), `HEAD`. */
function checkPath(path: string, method: string): void {
  const segments = path.split('/').map((s) => decodeURIComponent(s));
  const first = segments[0]!.toLowerCase();
  if (RESERVED.includes(first)) {
    throw new HubError(
      'not-found',
      `"${segments[0]}" under a service is the hub's own resource (${RESERVED.join(', ')}), not the provider's: ${method} is not one of its methods. A provider path of that name cannot be called through the hub.`,
    );
  }
  if (segments.some((s) => s === '.' || s === '..'))
    throw new HubError('not-found', 'A call path has no "." or ".." segments: name the resource under the service.');
  if (method === 'HEAD') throw new HubError('not-found', 'HEAD is not passed on to providers: send GET.');
}

const BODY = {
  content: { '*/*': {} },
  read: 'bytes',
  checkedBy: "the service's request schema, when it has one (JSON bodies)",
  description: 'Passed on to the provider as it is.',
} as const;

export function serviceCallRoutes(calls: ServiceCalls): Route[] {
  return METHODS.map((method) =>
    route({
      method,
      path: '/v1/services/{id}/{path+}',
      auth: 'connector',
      tag: 'services',
      summary: `Call a data-sharing service (${method.toUpperCase()})`,
      description: [
        `The hub checks the caller's grant for the purpose in \`${CALL_HEADERS.purpose}\`, the grant's quota and the service's request schema,`,
        `forwards method, path, query and body to the provider (signed by the hub, with \`${CALL_HEADERS.callId}\`, \`${CALL_HEADERS.officer}\` and \`${CALL_HEADERS.purpose}\`),`,
        "records the call on `lgsp.service-calls`, and answers with the provider's answer or a problem. Headers required:",
        `\`${CALL_HEADERS.officer}\` (the officer's id, "mã cán bộ") and \`${CALL_HEADERS.purpose}\` (the grant's purpose code). Every answer carries \`X-LGSP-Call-Id\`. docs/services.md.`,
      ].join(' '),
      params: PARAMS,
      ...(METHODS_WITH_BODY.includes(upper(method)) ? { body: BODY } : {}),
      responses: { 200: { description: "The provider's answer." } },
      passedOn: { description: "The provider's answer, with the status it gave, or a problem of the hub (problem+json)." },
      problems: [
        'service-not-granted',
        'service-quota-exceeded',
        'validation-failed',
        'malformed-json',
        'malformed-body',
        'body-too-deep',
        'unsupported-media-type',
        'provider-unavailable',
        'provider-timeout',
        'provider-answer-too-large',
        'kafka-unavailable',
        'not-found',
      ],
      handle: ({ caller, params, rawQuery, headers, body, mediaType, method: sent }) => {
        checkPath(params.path, sent);
        return calls.call({
          consumer: caller,
          service: params.id,
          path: params.path,
          rawQuery,
          method: upper(method),
          headers,
          body: (body as Buffer | undefined) ?? Buffer.alloc(0),
          mediaType,
        });
      },
    }),
  );
}

function upper(method: Method): TransportRequest['method'] {
  return method.toUpperCase() as TransportRequest['method'];
}

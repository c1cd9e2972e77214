/**
 * The data-sharing contract (SPEC §3 "Data-sharing services", docs/services.md), declared once:
 * what an operator registers (a service of a provider connector), what it grants or refuses (a
 * consumer's access for one purpose), and the record every call leaves on `lgsp.service-calls`.
 * The routes validate and document with these schemas; the registry stores services, grants and
 * refusals as accepted, stamped with who and when (`service/<id>`, `grant/<service>/<grant id>`,
 * `refusal/<service>/<refusal id>`).
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { httpUrl } from '../../connectors/kit/transport-settings.ts';
import type { ProblemCode } from '../contract/problems.ts';

export const CLASSIFICATIONS = ['public', 'internal', 'personal'] as const;

const CONNECTOR_ID = '^[a-z0-9][a-z0-9-]{1,62}$';
const AGENCY_CODE = '^\\d{3}\\.\\d{2}\\.\\d{2}\\.[A-Z]\\d{2}$';

/** A service id: used in URLs, metric labels and as the call log's key. */
export const ServiceIdSchema = Type.String({
  pattern: CONNECTOR_ID,
  description: "2-63 characters: lower-case letters, digits and '-'.",
  examples: ['population-lookup'],
});

/**
 * A purpose code: what the data is needed for, sent by the consumer as `X-LGSP-Purpose` and
 * compared with its grant's. ASCII so it fits an HTTP header; the grant's `note` says it in words.
 */
export const PurposeSchema = Type.String({
  pattern: '^[a-z0-9][a-z0-9.-]{0,99}$',
  description: "A purpose code (lower-case ASCII, digits, '.', '-'), e.g. dossier-intake, identity-check.",
  examples: ['identity-check'],
});

/** An officer's id ("mã cán bộ") as the consumer's system knows it: printable ASCII, sent as `X-LGSP-Officer`. */
export const OfficerSchema = Type.String({ pattern: '^[\\x21-\\x7e]{1,100}$', examples: ['CB-000123'] });

/** A JSON Schema (2020-12) given by the provider; checked to compile when the service is registered. */
const JsonSchemaDocument = Type.Object({}, { additionalProperties: true, description: 'A JSON Schema (draft 2020-12).' });

export const ServiceSpecSchema = Type.Object(
  {
    id: ServiceIdSchema,
    provider: Type.String({ pattern: CONNECTOR_ID, description: 'The connector id of the provider: its agency offers the service.' }),
    endpoint: httpUrl("Base URL of the provider's service: a call to /v1/services/{id}/a/b?q goes to <endpoint>/a/b?q."),
    title: Type.String({ minLength: 1, maxLength: 200, examples: ['Tra cứu thông tin công dân (population database lookup)'] }),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    version: Type.String({ minLength: 1, maxLength: 50, examples: ['1.0.0'] }),
    classification: Type.Union(
      CLASSIFICATIONS.map((c) => Type.Literal(c)),
      { description: 'public: open data; internal: for agencies only; personal: personal data (Decree 13/2023), every call with its purpose.' },
    ),
    openapi: Type.Optional(
      Type.Object({}, { additionalProperties: true, description: "The service's OpenAPI document, served at /v1/services/{id}/openapi.json." }),
    ),
    request: Type.Optional(JsonSchemaDocument),
    response: Type.Optional(JsonSchemaDocument),
    timeoutMs: Type.Optional(
      Type.Integer({ minimum: 100, maximum: 120_000, description: 'How long the hub waits for the provider; default LGSP_SERVICE_TIMEOUT.' }),
    ),
    logBodies: Type.Optional(Type.Boolean({ default: false, description: 'Keep request and response bodies in the call log (else only their SHA-256).' })),
  },
  { additionalProperties: false },
);
export type ServiceSpec = Static<typeof ServiceSpecSchema>;

export interface StoredService extends ServiceSpec {
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The operator who registered or last changed it. */
  readonly updatedBy: string;
}

export const GrantSpecSchema = Type.Object(
  {
    consumer: Type.String({
      pattern: `${CONNECTOR_ID}|${AGENCY_CODE}`,
      description: 'A connector id, or an agency code: then every connector of that agency (not of the agencies under it).',
      examples: ['qn-halong-motcua', '000.00.05.H49'],
    }),
    purpose: PurposeSchema,
    note: Type.Optional(Type.String({ maxLength: 1000, description: 'The purpose in words, and the basis for the grant.' })),
    expires: Type.Optional(Type.String({ format: 'date-time', description: 'After this instant the grant no longer lets calls through.' })),
    quota: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Calls a minute under this grant (per hub instance); none: no quota.' })),
  },
  { additionalProperties: false },
);
export type GrantSpec = Static<typeof GrantSpecSchema>;

export interface StoredGrant extends GrantSpec {
  readonly id: string;
  readonly service: string;
  readonly grantedAt: string;
  readonly grantedBy: string;
}

export const RefusalSpecSchema = Type.Object(
  {
    consumer: GrantSpecSchema.properties.consumer,
    purpose: Type.Optional(PurposeSchema),
    reason: Type.String({
      minLength: 1,
      maxLength: 4000,
      description: 'The legal reason for refusing, in writing (Decree 194/2025 asks for it), e.g. the article that restricts the data.',
    }),
  },
  { additionalProperties: false },
);
export type RefusalSpec = Static<typeof RefusalSpecSchema>;

export interface StoredRefusal extends RefusalSpec {
  readonly id: string;
  readonly service: string;
  readonly refusedAt: string;
  readonly refusedBy: string;
}

/**
 * How a call ended, for the call log and `lgsp_service_calls_total{outcome}`: `answered` (the
 * provider's answer passed on, whatever its status) or refused or failed with one of its problems.
 */
export const CALL_OUTCOMES = {
  answered: [],
  'not-granted': ['service-not-granted'],
  'over-quota': ['service-quota-exceeded'],
  'bad-request': ['validation-failed', 'malformed-json', 'malformed-body', 'body-too-deep', 'unsupported-media-type', 'not-found'],
  'provider-unavailable': ['provider-unavailable'],
  'provider-timeout': ['provider-timeout'],
  'answer-too-large': ['provider-answer-too-large'],
} as const satisfies Record<string, readonly ProblemCode[]>;
export type CallOutcome = keyof typeof CALL_OUTCOMES;

const text = (description: string) => Type.String({ description });
const optional = <T extends TSchema>(schema: T) => Type.Optional(schema);

/** One record of `lgsp.service-calls` (key: the service id), written before the consumer gets its answer. */
export const CallRecordSchema = Type.Object(
  {
    id: text('The call id, sent to the consumer and the provider as `X-LGSP-Call-Id`.'),
    time: Type.String({ format: 'date-time', description: 'When the call ended.' }),
    service: text('The service id.'),
    serviceVersion: text("The service's catalogue version at the time of the call."),
    provider: text('The connector id of the provider.'),
    consumer: text('The connector id of the caller.'),
    consumerAgency: text("The caller's agency code."),
    officer: text('The officer ("mã cán bộ") the consumer named in `X-LGSP-Officer`.'),
    purpose: text('The purpose code the consumer named in `X-LGSP-Purpose`.'),
    grant: optional(text('The id of the grant that let the call through; absent when none did.')),
    method: text('The HTTP method of the call.'),
    path: text('The path under the service, with its query: `/citizens/001203004567?fields=name`.'),
    status: Type.Integer({ description: 'The HTTP status the consumer got.' }),
    outcome: Type.Unsafe<CallOutcome>({
      type: 'string',
      enum: Object.keys(CALL_OUTCOMES),
      description: "`answered` (the provider's answer passed on, whatever its status) or what refused or failed the call (docs/problems.md).",
    }),
    providerStatus: optional(Type.Integer({ description: "The provider's HTTP status, when it answered." })),
    latencyMs: Type.Number({ description: 'From the request reaching the hub to the answer being ready, the log write excluded.' }),
    requestBytes: Type.Integer({ description: 'Size of the request body.' }),
    responseBytes: Type.Integer({ description: 'Size of the response body the consumer got.' }),
    requestSha256: text('SHA-256 (hex) of the request body.'),
    responseSha256: text('SHA-256 (hex) of the response body.'),
    requestBody: optional(Type.String({ format: 'byte', description: "The request body, base64; only where the service's `logBodies` is true." })),
    responseBody: optional(Type.String({ format: 'byte', description: "The response body, base64; only where the service's `logBodies` is true." })),
  },
  {
    description:
      'One call of a data-sharing service, as recorded on the topic `lgsp.service-calls` (key: the service id) before the consumer got its answer, chained and signed like the audit trail.',
  },
);
export type CallRecord = Static<typeof CallRecordSchema>;

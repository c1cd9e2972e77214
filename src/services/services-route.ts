/**
 * The data-sharing catalogue and its grants (docs/services.md): operators register, replace and
 * delete services, grant a consumer (connector or agency) a service for a purpose, revoke a grant
 * and record a refusal with its reason; anyone authenticated reads the catalogue and each
 * service's OpenAPI document. Changes are audited by the route binding like every operator change.
 * The calls themselves are the lead route `/v1/services/{id}/{path+}`, bound after these: the
 * sub-paths used here (`openapi.json`, `grants`, `grants:refuse`, `grants/{grantId}`, `calls`)
 * are reserved, never passed on to a provider.
 */
import type { OutboundPolicy } from '../../connectors/kit/outbound-policy.ts';
import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { HubError } from '../contract/problems.ts';
import type { ValidationIssue } from '../contract/schema-set.ts';
import { json, named, route, type Caller, type Route } from '../http/route.ts';
import type { RegistryStore } from '../registry/registry-store.ts';
import { openApiOf, openApiPathOf, type ServiceCatalogue } from './catalogue.ts';
import {
  GrantSpecSchema,
  RefusalSpecSchema,
  ServiceIdSchema,
  ServiceSpecSchema,
  type ServiceSpec,
  type StoredGrant,
  type StoredRefusal,
  type StoredService,
} from './service-record.ts';

export type ServicesRegistry = Pick<RegistryStore, 'putService' | 'deleteService' | 'putGrant' | 'deleteGrant' | 'putRefusal' | 'connector' | 'directory'>;

const ID = Type.Object({ id: ServiceIdSchema });
const GRANT_ID = Type.Object({
  id: ServiceIdSchema,
  grantId: Type.String({ format: 'uuid', description: 'The id the grant was given.', examples: ['4f1c2b7e-9a0d-4e6b-8c3f-2d5e7a9b1c04'] }),
});

const stamp = (name: string) => ({ type: 'string', format: 'date-time', description: name });
const SERVICE = named('Service', {
  type: 'object',
  description:
    "A service of the catalogue, as registered. A connector that is not the service's provider does not see its `endpoint`: calls go through the hub.",
  required: ['id', 'provider', 'title', 'version', 'classification', 'createdAt', 'updatedAt', 'updatedBy', 'openapiUrl'],
  properties: {
    ...ServiceSpecSchema.properties,
    createdAt: stamp('When it was registered.'),
    updatedAt: stamp('When it was last registered or replaced.'),
    updatedBy: { type: 'string', description: 'The operator who did.' },
    openapiUrl: { type: 'string', description: 'Its OpenAPI document on this hub.', examples: ['/v1/services/population-lookup/openapi.json'] },
  },
});
const GRANT = named('ServiceGrant', {
  type: 'object',
  required: ['id', 'service', 'consumer', 'purpose', 'grantedAt', 'grantedBy'],
  properties: {
    ...GrantSpecSchema.properties,
    id: { type: 'string', format: 'uuid' },
    service: { type: 'string' },
    grantedAt: stamp('When it was granted.'),
    grantedBy: { type: 'string', description: 'The operator who granted it.' },
  },
});
const REFUSAL = named('ServiceRefusal', {
  type: 'object',
  required: ['id', 'service', 'consumer', 'reason', 'refusedAt', 'refusedBy'],
  properties: {
    ...RefusalSpecSchema.properties,
    id: { type: 'string', format: 'uuid' },
    service: { type: 'string' },
    refusedAt: stamp('When it was refused.'),
    refusedBy: { type: 'string', description: 'The operator who recorded the refusal.' },
  },
});

/** The answer for `caller`: the link to its OpenAPI document; inline documents only where one service is shown. */
function view(service: StoredService, caller: Caller, inline: boolean): Record<string, unknown> {
  const { openapi, endpoint, ...rest } = service;
  const seesEndpoint = caller.operator || caller.connector.id === service.provider;
  return { ...rest, ...(seesEndpoint ? { endpoint } : {}), ...(inline && openapi ? { openapi } : {}), openapiUrl: openApiPathOf(service.id) };
}

const invalid = (issues: ValidationIssue[], what: string) =>
  new HubError('validation-failed', `${issues.length} problem(s) in the ${what}; nothing was written.`, { errors: issues });

export function servicesRoutes(catalogue: ServiceCatalogue, registry: ServicesRegistry, outbound: Pick<OutboundPolicy, 'refusalOfUrl'>): Route[] {
  /** Refuses a spec whose provider is not registered, whose endpoint the outbound policy refuses, or whose schemas do not compile. */
  const checkSpec = async (spec: ServiceSpec) => {
    const issues = catalogue.schemaIssues(spec);
    if (/[?#]/.test(spec.endpoint)) issues.push({ path: '/endpoint', message: 'a base URL: no query (?) or fragment (#); calls add their own path and query' });
    const refused = await outbound.refusalOfUrl(spec.endpoint);
    if (refused) issues.unshift({ path: '/endpoint', message: `${refused} (LGSP_OUTBOUND_ALLOW lists the exceptions)` });
    if (!registry.connector(spec.provider)) {
      issues.unshift({
        path: '/provider',
        message: `no connector "${spec.provider}" is registered; register the provider's system first (POST /v1/connectors, lgsp connectors register <manifest.json>)`,
      });
    }
    if (spec.openapi && !/^3\.\d+\.\d+$/.test(String((spec.openapi as { openapi?: unknown }).openapi))) {
      issues.push({ path: '/openapi/openapi', message: 'must be the OpenAPI version of the document, 3.x.y (e.g. "3.1.0")' });
    }
    if (issues.length > 0) throw invalid(issues, 'service');
  };
  /** Refuses a consumer that is neither a connector nor an agency of the directory. */
  const checkConsumer = (consumer: string, what: string) => {
    if (registry.connector(consumer) || registry.directory().has(consumer)) return;
    throw invalid(
      [
        {
          path: '/consumer',
          message: `"${consumer}" is neither a registered connector nor an agency of the directory (lgsp connectors list, lgsp agencies list)`,
        },
      ],
      what,
    );
  };

  return [
    route({
      method: 'get',
      path: '/v1/services',
      auth: 'caller',
      tag: 'services',
      summary: 'The data-sharing catalogue',
      description: 'For operators and connectors. Each service links its OpenAPI document (`openapiUrl`) instead of carrying it.',
      responses: {
        200: json({ type: 'object', required: ['services'], properties: { services: { type: 'array', items: SERVICE } } }, 'Every service, by id.'),
      },
      handle: ({ caller }) => ({ status: 200, json: { services: catalogue.services().map((s) => view(s, caller, false)) } }),
    }),
    route({
      method: 'get',
      path: '/v1/services/{id}',
      auth: 'caller',
      tag: 'services',
      summary: 'One service of the catalogue',
      params: ID,
      responses: { 200: json(SERVICE, 'The service, with its OpenAPI document if the provider gave one.') },
      problems: ['not-found'],
      handle: ({ caller, params }) => ({ status: 200, json: view(catalogue.known(params.id), caller, true) }),
    }),
    route({
      method: 'get',
      path: '/v1/services/{id}/openapi.json',
      auth: 'caller',
      tag: 'services',
      summary: "A service's OpenAPI document",
      description: "The provider's document if it gave one; else one derived from the catalogue entry (its schemas, the headers every call needs).",
      params: ID,
      responses: { 200: json({ type: 'object' }, 'An OpenAPI 3.x document.') },
      problems: ['not-found'],
      handle: ({ params }) => ({ status: 200, json: openApiOf(catalogue.known(params.id)) }),
    }),
    route({
      method: 'post',
      path: '/v1/services',
      auth: 'operator',
      tag: 'services',
      summary: 'Register a service of a provider connector',
      body: { content: { 'application/json': ServiceSpecSchema } },
      responses: { 201: json(SERVICE, 'Registered; grant consumers access next.') },
      problems: ['validation-failed', 'conflict'],
      async handle({ body, caller }) {
        if (catalogue.service(body.id))
          throw new HubError('conflict', `A service "${body.id}" is registered already; PUT /v1/services/${body.id} replaces it.`);
        await checkSpec(body);
        const now = new Date().toISOString();
        const record: StoredService = { ...body, createdAt: now, updatedAt: now, updatedBy: caller.name };
        await registry.putService(record);
        return { status: 201, headers: { Location: `/v1/services/${body.id}` }, json: view(record, caller, true) };
      },
    }),
    route({
      method: 'put',
      path: '/v1/services/{id}',
      auth: 'operator',
      tag: 'services',
      summary: 'Replace a service (a new version); its grants stay',
      params: ID,
      body: { content: { 'application/json': ServiceSpecSchema } },
      responses: { 200: json(SERVICE, 'Replaced; the next call uses it.') },
      problems: ['validation-failed', 'not-found'],
      async handle({ params, body, caller }) {
        const current = catalogue.known(params.id);
        if (body.id !== params.id)
          throw invalid([{ path: '/id', message: `must be "${params.id}", the service of the path (a service is not renamed)` }], 'service');
        await checkSpec(body);
        const record: StoredService = { ...body, createdAt: current.createdAt, updatedAt: new Date().toISOString(), updatedBy: caller.name };
        await registry.putService(record);
        return { status: 200, json: view(record, caller, true) };
      },
    }),
    route({
      method: 'delete',
      path: '/v1/services/{id}',
      auth: 'operator',
      tag: 'services',
      summary: 'Delete a service and its grants (its refusals stay on record)',
      params: ID,
      responses: { 204: { description: 'Deleted; calls to it are answered 404.' } },
      problems: ['not-found'],
      async handle({ params }) {
        await registry.deleteService(catalogue.known(params.id).id);
        return { status: 204 };
      },
    }),
    route({
      method: 'get',
      path: '/v1/services/{id}/grants',
      auth: 'operator',
      tag: 'services',
      summary: "A service's grants and refusals",
      params: ID,
      responses: {
        200: json(
          {
            type: 'object',
            required: ['grants', 'refusals'],
            properties: { grants: { type: 'array', items: GRANT }, refusals: { type: 'array', items: REFUSAL } },
          },
          'In the order they were recorded; expired grants included (see `expires`).',
        ),
      },
      problems: ['not-found'],
      handle({ params }) {
        const { id } = catalogue.known(params.id);
        return { status: 200, json: { grants: catalogue.grants(id), refusals: catalogue.refusals(id) } };
      },
    }),
    route({
      method: 'post',
      path: '/v1/services/{id}/grants',
      auth: 'operator',
      tag: 'services',
      summary: 'Grant a consumer (connector or agency) the service for a purpose',
      params: ID,
      body: { content: { 'application/json': GrantSpecSchema } },
      responses: { 201: json(GRANT, 'Granted; the next call with this purpose goes through.') },
      problems: ['validation-failed', 'not-found'],
      async handle({ params, body, caller }) {
        const { id } = catalogue.known(params.id);
        checkConsumer(body.consumer, 'grant');
        if (body.expires && Date.parse(body.expires) <= Date.now()) {
          throw invalid([{ path: '/expires', message: 'is in the past: a grant must expire later than now (leave it out for no expiry)' }], 'grant');
        }
        const grant: StoredGrant = { ...body, id: randomUUID(), service: id, grantedAt: new Date().toISOString(), grantedBy: caller.name };
        await registry.putGrant(grant);
        return { status: 201, json: grant };
      },
    }),
    route({
      method: 'delete',
      path: '/v1/services/{id}/grants/{grantId}',
      auth: 'operator',
      tag: 'services',
      summary: 'Revoke a grant',
      params: GRANT_ID,
      responses: { 204: { description: 'Revoked; the next call under it is refused.' } },
      problems: ['not-found'],
      async handle({ params }) {
        const { id } = catalogue.known(params.id);
        if (!catalogue.grants(id).some((g) => g.id === params.grantId)) {
          throw new HubError('not-found', `No grant "${params.grantId}" of service "${id}"; GET /v1/services/${id}/grants lists them.`);
        }
        await registry.deleteGrant(id, params.grantId);
        return { status: 204 };
      },
    }),
    route({
      method: 'post',
      path: '/v1/services/{id}/grants:refuse',
      auth: 'operator',
      tag: 'services',
      summary: 'Record a refusal, with its reason in writing',
      description:
        'Decree 194/2025 asks that a refusal to share data be given in writing with its reason. A refusal is a record: it does not revoke a grant (DELETE the grant for that).',
      params: ID,
      body: { content: { 'application/json': RefusalSpecSchema } },
      responses: { 201: json(REFUSAL, 'Recorded; a call by that consumer is refused quoting it.') },
      problems: ['validation-failed', 'not-found'],
      async handle({ params, body, caller }) {
        const { id } = catalogue.known(params.id);
        checkConsumer(body.consumer, 'refusal');
        if (body.reason.trim() === '') throw invalid([{ path: '/reason', message: 'must say why, in words (the legal basis)' }], 'refusal');
        const refusal: StoredRefusal = { ...body, id: randomUUID(), service: id, refusedAt: new Date().toISOString(), refusedBy: caller.name };
        await registry.putRefusal(refusal);
        return { status: 201, json: refusal };
      },
    }),
  ];
}

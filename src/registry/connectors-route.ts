/**
 * The connector registry API (operators): list, show, register (the token is shown once), replace,
 * delete, rotate the token, and validate a manifest without registering it. A manifest is checked
 * by `ConnectorKinds.check` (the schema with defaults, its kind's settings, the directory), which
 * answers with every problem; the schemas here describe it for `/openapi.json`.
 */
import { Type } from '@sinclair/typebox';
import { HubError } from '../contract/problems.ts';
import type { SchemaSet, ValidationIssue } from '../contract/schema-set.ts';
import { contractRef, json, named, propertyRefs, route, type Route } from '../http/route.ts';
import { issueCredential } from './connector-credentials.ts';
import type { ConnectorKinds } from './connector-kinds.ts';
import type { ConnectorEntry, RegistryStore } from './registry-store.ts';

const HIDDEN = '(hidden)';
const ID = Type.Object({ id: Type.String({ description: 'The connector id.', examples: ['hcc-quang-ninh'] }) });
const CHECKED_BY = 'ConnectorKinds.check: the manifest schema (defaults applied), its kind and settings, the agency directory';
const TOKEN = named('Token', {
  type: 'object',
  required: ['token'],
  properties: { token: { type: 'string', description: "The connector's bearer token, shown once: store it now." } },
});

export function connectorsRoutes(registry: RegistryStore, kinds: ConnectorKinds, schemas: SchemaSet): Route[] {
  const manifestBody = { content: { 'application/json': contractRef('connector.schema.json') }, checkedBy: CHECKED_BY };
  const connectorView = named('ConnectorView', {
    type: 'object',
    description:
      'A registered connector: its manifest with defaults applied and secret settings shown as "(hidden)" (send "(hidden)" back in a PUT to keep a secret), plus timestamps. The token is never shown again.',
    required: ['id', 'agency', 'kind', 'subscriptions', 'delivery', 'createdAt', 'updatedAt'],
    properties: {
      ...propertyRefs(schemas, 'connector.schema.json'),
      createdAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
    },
  });
  const view = ({ manifest, createdAt, updatedAt }: ConnectorEntry) => {
    const secrets = kinds.get(manifest.kind)?.secretSettings ?? [];
    const settings = manifest.settings && Object.fromEntries(Object.entries(manifest.settings).map(([k, v]) => [k, secrets.includes(k) ? HIDDEN : v]));
    return { ...manifest, ...(settings ? { settings } : {}), createdAt, updatedAt };
  };
  const existing = (id: string) => {
    const entry = registry.connector(id);
    if (!entry) throw new HubError('not-found', `No connector "${id}" is registered.`);
    return entry;
  };
  const checked = (body: unknown) => {
    const { issues, manifest } = kinds.check(body, registry.directory());
    if (!manifest) throw invalid(issues);
    return manifest;
  };

  return [
    route({
      method: 'get',
      path: '/v1/connectors',
      auth: 'operator',
      tag: 'connectors',
      summary: 'List connectors',
      responses: {
        200: json(
          { type: 'object', required: ['connectors'], properties: { connectors: { type: 'array', items: connectorView } } },
          'Every registered connector.',
        ),
      },
      handle: () => ({ status: 200, json: { connectors: registry.connectors().map(view) } }),
    }),
    route({
      method: 'post',
      path: '/v1/connectors',
      auth: 'operator',
      tag: 'connectors',
      summary: 'Register a connector',
      body: manifestBody,
      responses: {
        201: json(
          { type: 'object', required: ['connector', 'token'], properties: { connector: connectorView, token: TOKEN.properties.token } },
          'Registered; the token is shown this once.',
        ),
      },
      problems: ['validation-failed', 'conflict'],
      async handle({ body }) {
        const manifest = checked(body);
        if (registry.connector(manifest.id))
          throw new HubError('conflict', `A connector "${manifest.id}" is registered already; PUT /v1/connectors/${manifest.id} changes it.`);
        const { token, credential } = issueCredential(manifest.id);
        const now = new Date().toISOString();
        const entry = { manifest, credential, createdAt: now, updatedAt: now };
        await registry.putConnector(entry);
        return { status: 201, json: { connector: view(entry), token } };
      },
    }),
    route({
      method: 'post',
      path: '/v1/connectors:validate',
      auth: 'operator',
      tag: 'connectors',
      summary: 'Check a manifest without registering it',
      body: manifestBody,
      responses: {
        200: json(
          { type: 'object', required: ['valid', 'connector'], properties: { valid: { const: true }, connector: contractRef('connector.schema.json') } },
          'Valid; the manifest with its defaults applied.',
        ),
      },
      problems: ['validation-failed'],
      handle: ({ body }) => ({ status: 200, json: { valid: true, connector: checked(body) } }),
    }),
    route({
      method: 'get',
      path: '/v1/connectors/{id}',
      auth: 'operator',
      tag: 'connectors',
      summary: 'Show a connector',
      params: ID,
      responses: { 200: json(connectorView, 'The connector.') },
      problems: ['not-found'],
      handle: ({ params }) => ({ status: 200, json: view(existing(params.id)) }),
    }),
    route({
      method: 'put',
      path: '/v1/connectors/{id}',
      auth: 'operator',
      tag: 'connectors',
      summary: "Replace a connector's manifest",
      params: ID,
      description: '`id` may be left out of the body; "(hidden)" keeps a stored secret setting. The token is unchanged.',
      body: manifestBody,
      responses: { 200: json(connectorView, 'Replaced.') },
      problems: ['validation-failed', 'not-found'],
      async handle({ params, body }) {
        const before = existing(params.id);
        const given = (body ?? {}) as { id?: unknown; settings?: Record<string, unknown> };
        // A manifest read back from GET carries "(hidden)" for secrets: keep the stored ones.
        const settings =
          given.settings && Object.fromEntries(Object.entries(given.settings).map(([k, v]) => [k, v === HIDDEN ? before.manifest.settings?.[k] : v]));
        const manifest = checked({ ...given, ...(settings ? { settings } : {}), id: params.id });
        if (given.id !== undefined && given.id !== params.id) throw invalid([{ path: '/id', message: `must be ${params.id}` }]);
        const entry = { ...before, manifest, updatedAt: new Date().toISOString() };
        await registry.putConnector(entry);
        return { status: 200, json: view(entry) };
      },
    }),
    route({
      method: 'delete',
      path: '/v1/connectors/{id}',
      auth: 'operator',
      tag: 'connectors',
      summary: 'Delete a connector',
      params: ID,
      responses: { 204: { description: 'Deleted.' } },
      problems: ['not-found'],
      async handle({ params }) {
        existing(params.id);
        await registry.deleteConnector(params.id);
        return { status: 204 };
      },
    }),
    route({
      method: 'post',
      path: '/v1/connectors/{id}:rotate',
      auth: 'operator',
      tag: 'connectors',
      summary: 'Issue a new token (the old one stops working)',
      params: ID,
      responses: { 200: json(TOKEN, 'The new token, shown this once.') },
      problems: ['not-found'],
      async handle({ params }) {
        const before = existing(params.id);
        const { token, credential } = issueCredential(params.id);
        await registry.putConnector({ ...before, credential, updatedAt: new Date().toISOString() });
        return { status: 200, json: { token } };
      },
    }),
  ];
}

function invalid(errors: ValidationIssue[]): HubError {
  return new HubError('validation-failed', `${errors.length} problem(s) in the manifest; nothing was registered.`, { errors });
}

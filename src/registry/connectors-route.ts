/**
 * The connector registry API (operators): list, show, register (the token is shown once), replace,
 * delete, rotate the token, and validate a manifest without registering it. A manifest is checked
 * by `ConnectorKinds.check` (the schema with defaults, its kind's settings, the directory), which
 * answers with every problem; the schemas here describe it for `/openapi.json`.
 *
 * A token is bound to its connector's agency: a rotation may let the replaced token work a while
 * (`overlap`), but moving a connector to another agency replaces its token at once.
 */
import { Type } from '@sinclair/typebox';
import { HubError } from '../contract/problems.ts';
import type { ConnectorManifest, SchemaSet, ValidationIssue } from '../contract/schema-set.ts';
import { overlapOf, overlapQuery } from '../http/overlap-query.ts';
import { contractRef, json, named, propertyRefs, route, type Route } from '../http/route.ts';
import { issueCredential, rotateCredential } from './connector-credentials.ts';
import type { ConnectorKinds } from './connector-kinds.ts';
import { receivingWarnings } from './receiving-warnings.ts';
import type { ConnectorEntry, RegistryStore } from './registry-store.ts';

const HIDDEN = '(hidden)';
const ID = Type.Object({ id: Type.String({ description: 'The connector id.', examples: ['hcc-quang-ninh'] }) });
const CHECKED_BY = 'ConnectorKinds.check: the manifest schema (defaults applied), its kind and settings, the agency directory';
const TOKEN = { type: 'string', description: "The connector's bearer token, shown once: store it now." };
const WARNINGS = {
  type: 'array',
  items: { type: 'string' },
  description:
    'What the manifest, valid, will not do, in sentences: a connector that accepts nothing addressed to its agency (no endpoint, a kind that only sends or relays, `accepts: []`). Empty when there is nothing to say.',
  examples: [['qn-stp-sender accepts nothing addressed to 000.00.15.H49: it has no endpoint; add "endpoint" for it to receive what is sent to its agency.']],
};
const ROTATED = named('RotatedToken', {
  type: 'object',
  required: ['token', 'previousValidUntil'],
  properties: {
    token: TOKEN,
    previousValidUntil: {
      type: 'string',
      format: 'date-time',
      description: 'Until when the replaced token keeps working (the time of the rotation with overlap 0s). Deliveries are signed with the new token at once.',
    },
  },
});
/** `tokenOverlapMs`: LGSP_TOKEN_OVERLAP, the overlap of a rotation that does not give one. */
export function connectorsRoutes(registry: RegistryStore, kinds: ConnectorKinds, schemas: SchemaSet, tokenOverlapMs: number): Route[] {
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
  const checked = async (body: unknown) => {
    const { issues, manifest } = await kinds.check(body, registry.directory());
    if (!manifest) throw invalid(issues);
    const clashes = [...certificatesOfOthers(registry, manifest), ...repeatedKeyIds(manifest)];
    if (clashes.length > 0) throw invalid(clashes);
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
          { type: 'object', required: ['connector', 'token', 'warnings'], properties: { connector: connectorView, token: TOKEN, warnings: WARNINGS } },
          'Registered; the token is shown this once.',
        ),
      },
      problems: ['validation-failed', 'conflict'],
      async handle({ body }) {
        const manifest = await checked(body);
        if (registry.connector(manifest.id))
          throw new HubError('conflict', `A connector "${manifest.id}" is registered already; PUT /v1/connectors/${manifest.id} changes it.`);
        const { token, credential } = issueCredential(manifest.id);
        const now = new Date().toISOString();
        const entry = { manifest, credential, createdAt: now, updatedAt: now };
        await registry.putConnector(entry);
        return { status: 201, json: { connector: view(entry), token, warnings: receivingWarnings(manifest, kinds) } };
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
          {
            type: 'object',
            required: ['valid', 'connector', 'warnings'],
            properties: { valid: { const: true }, connector: contractRef('connector.schema.json'), warnings: WARNINGS },
          },
          'Valid; the manifest with its defaults applied.',
        ),
      },
      problems: ['validation-failed'],
      async handle({ body }) {
        const manifest = await checked(body);
        return { status: 200, json: { valid: true, connector: manifest, warnings: receivingWarnings(manifest, kinds) } };
      },
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
      description:
        '`id` may be left out of the body; "(hidden)" keeps a stored secret setting. The token is unchanged, unless `agency` changes: a connector moved to another agency gets a new token, shown this once in `token`, and the old one stops working at once (no overlap), so nothing sends as the new agency with a token issued for the old one.',
      body: manifestBody,
      responses: {
        200: json(
          {
            allOf: [
              connectorView,
              {
                type: 'object',
                required: ['warnings'],
                properties: { token: { ...TOKEN, description: `${TOKEN.description} Only when \`agency\` changed.` }, warnings: WARNINGS },
              },
            ],
          },
          'Replaced; with `token` when the agency changed.',
        ),
      },
      problems: ['validation-failed', 'not-found'],
      async handle({ params, body }) {
        const before = existing(params.id);
        const given = (body ?? {}) as { id?: unknown; settings?: Record<string, unknown> };
        // A manifest read back from GET carries "(hidden)" for secrets: keep the stored ones.
        const settings =
          given.settings && Object.fromEntries(Object.entries(given.settings).map(([k, v]) => [k, v === HIDDEN ? before.manifest.settings?.[k] : v]));
        const manifest = await checked({ ...given, ...(settings ? { settings } : {}), id: params.id });
        if (given.id !== undefined && given.id !== params.id) throw invalid([{ path: '/id', message: `must be ${params.id}` }]);
        const moved = manifest.agency !== before.manifest.agency ? issueCredential(manifest.id) : undefined;
        const entry = { ...before, manifest, ...(moved ? { credential: moved.credential } : {}), updatedAt: new Date().toISOString() };
        await registry.putConnector(entry);
        return { status: 200, json: { ...view(entry), ...(moved ? { token: moved.token } : {}), warnings: receivingWarnings(manifest, kinds) } };
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
      summary: 'Issue a new token (the old one works until the overlap ends)',
      description:
        'The replaced token keeps working for `overlap`, so the agency system can switch without a gap; a token replaced earlier stops now. Deliveries are signed with the new token at once. After a leak, rotate with `overlap=0s`.',
      params: ID,
      query: overlapQuery(tokenOverlapMs),
      responses: { 200: json(ROTATED, 'The new token, shown this once.') },
      problems: ['not-found'],
      async handle({ params, query }) {
        const before = existing(params.id);
        const overlapMs = overlapOf(query.overlap);
        const { token, credential, previousValidUntil } = rotateCredential(params.id, before.credential, overlapMs);
        await registry.putConnector({ ...before, credential, updatedAt: new Date().toISOString() });
        return { status: 200, json: { token, previousValidUntil } };
      },
    }),
  ];
}

function invalid(errors: ValidationIssue[]): HubError {
  return new HubError('validation-failed', `${errors.length} problem(s) in the manifest; nothing was registered.`, { errors });
}

/** A client certificate identifies one connector: a fingerprint another connector lists is refused. */
function certificatesOfOthers(registry: RegistryStore, manifest: ConnectorManifest): ValidationIssue[] {
  const mine = manifest.auth?.clientCertificates ?? [];
  return mine.flatMap((fingerprint, i) => {
    const other = registry
      .connectors()
      .find((c) => c.manifest.id !== manifest.id && c.manifest.auth?.clientCertificates?.some((f) => f.toUpperCase() === fingerprint.toUpperCase()));
    return other
      ? [{ path: `/auth/clientCertificates/${i}`, message: `is listed by connector "${other.manifest.id}" already: one certificate identifies one connector` }]
      : [];
  });
}

/** A signature names its key by `kid`: two public keys of one connector may not share one. */
function repeatedKeyIds(manifest: ConnectorManifest): ValidationIssue[] {
  const kids = (manifest.auth?.publicKeys ?? []).map((key) => key.kid);
  return kids.flatMap((kid, i) =>
    kids.indexOf(kid) < i
      ? [{ path: `/auth/publicKeys/${i}/kid`, message: `repeats the kid of /auth/publicKeys/${kids.indexOf(kid)}: give each key its own` }]
      : [],
  );
}

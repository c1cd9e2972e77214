/**
 * The agency directory API (operators): `GET /v1/agencies[/{code}]`, `PUT /v1/agencies/{code}`,
 * `POST /v1/agencies:import` (a JSON array of records, or CSV with the header
 * `code,name,level,parent`). An import is all-or-nothing and must leave a consistent tree.
 */
import { Type } from '@sinclair/typebox';
import { HubError } from '../contract/problems.ts';
import type { AgencyRecord, SchemaSet } from '../contract/schema-set.ts';
import { contractRef, json, named, propertyRefs, route, type Route } from '../http/route.ts';
import { parseAgencyImport } from './agency-import.ts';
import type { RegistryStore } from './registry-store.ts';
import { writeAgencies } from './write-agencies.ts';

const CODE = Type.Object({ code: Type.String({ description: 'The agency code (domain/agency-codes.md).', examples: ['000.00.15.H49'] }) });

export function agenciesRoutes(registry: RegistryStore, schemas: SchemaSet): Route[] {
  const agency = propertyRefs(schemas, 'agency.schema.json');
  const agencyView = named('AgencyView', {
    type: 'object',
    description: 'A directory entry (Agency) with its place in the tree.',
    required: ['code', 'name', 'level', 'children'],
    properties: { ...agency, children: { type: 'array', items: contractRef('common.schema.json', '/$defs/agencyCode') } },
  });
  const agencyUpdate = Type.Unsafe<Partial<AgencyRecord>>(
    named('AgencyUpdate', {
      type: 'object',
      description: 'An Agency record; `code` may be left out (the path gives it) and must equal the path when present.',
      additionalProperties: false,
      required: ['name', 'level'],
      properties: agency,
    }),
  );
  const view = (record: AgencyRecord) => {
    const directory = registry.directory();
    return { ...record, parent: directory.parentOf(record.code)?.code, children: directory.childrenOf(record.code).map((c) => c.code) };
  };

  return [
    route({
      method: 'get',
      path: '/v1/agencies',
      auth: 'operator',
      tag: 'agencies',
      summary: 'List the agency directory',
      responses: { 200: json({ type: 'object', required: ['agencies'], properties: { agencies: { type: 'array', items: agencyView } } }, 'Every agency.') },
      handle: () => ({ status: 200, json: { agencies: registry.directory().all().map(view) } }),
    }),
    route({
      method: 'get',
      path: '/v1/agencies/{code}',
      auth: 'operator',
      tag: 'agencies',
      summary: 'Show an agency',
      params: CODE,
      responses: { 200: json(agencyView, 'The agency.') },
      problems: ['not-found'],
      handle({ params }) {
        const record = registry.directory().get(params.code);
        if (!record) throw new HubError('not-found', `No agency ${params.code} in the directory.`);
        return { status: 200, json: view(record) };
      },
    }),
    route({
      method: 'put',
      path: '/v1/agencies/{code}',
      auth: 'operator',
      tag: 'agencies',
      summary: 'Create or replace an agency',
      params: CODE,
      description: 'The directory must stay a consistent tree (`unknown-recipient` for the parent of a root).',
      body: { content: { 'application/json': agencyUpdate } },
      responses: { 200: json(agencyView, 'Written.') },
      problems: ['validation-failed'],
      async handle({ params, body }) {
        if (body.code !== undefined && body.code !== params.code) {
          throw new HubError('validation-failed', 'The code in the body differs from the one in the path.', {
            errors: [{ path: '/code', message: `must be ${params.code}` }],
          });
        }
        const record = { ...body, code: params.code } as AgencyRecord;
        await writeAgencies(registry, schemas, [record], false);
        return { status: 200, json: view(record) };
      },
    }),
    route({
      method: 'post',
      path: '/v1/agencies:import',
      auth: 'operator',
      tag: 'agencies',
      summary: 'Import agencies (all or nothing)',
      body: {
        content: {
          'application/json': Type.Unsafe<string>({ type: 'array', items: contractRef('agency.schema.json') }),
          'text/csv': Type.Unsafe<string>({
            type: 'string',
            description: 'Header `code,name,level,parent`.',
            examples: ['code,name,level,parent\n000.00.00.H49,Ủy ban nhân dân tỉnh Quảng Ninh,province,\n'],
          }),
        },
        read: 'text',
        checkedBy: 'parseAgencyImport (JSON or CSV), then writeAgencies (each record, and the tree)',
      },
      responses: { 200: json({ type: 'object', required: ['imported'], properties: { imported: { type: 'integer' } } }, 'Imported.') },
      problems: ['validation-failed'],
      async handle({ body, mediaType }) {
        const { records, issues } = parseAgencyImport(body, mediaType === 'text/csv' ? 'text/csv' : 'application/json');
        if (issues.length > 0) throw new HubError('validation-failed', `${issues.length} problem(s) in the import; nothing was imported.`, { errors: issues });
        if (records.length === 0) {
          throw new HubError(
            'validation-failed',
            'The import holds no agency record (an empty array, or CSV with only its header line); nothing was imported.',
            {
              errors: [{ path: '', message: 'expected at least one agency record' }],
            },
          );
        }
        await writeAgencies(registry, schemas, records, true);
        return { status: 200, json: { imported: records.length } };
      },
    }),
  ];
}

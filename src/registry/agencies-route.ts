/**
 * The agency directory API (operators): `GET /v1/agencies[/{code}]`, `PUT /v1/agencies/{code}`,
 * `POST /v1/agencies:import` (a JSON array of records, or CSV with the header
 * `code,name,level,parent`). An import is all-or-nothing and must leave a consistent tree.
 */
import express, { Router, type RequestHandler, type Request } from 'express';
import { HubError } from '../contract/problems.ts';
import type { AgencyRecord, SchemaSet } from '../contract/schema-set.ts';
import { parseAgencyImport } from './agency-import.ts';
import type { RegistryStore } from './registry-store.ts';
import { writeAgencies } from './write-agencies.ts';

export function agenciesRoute(registry: RegistryStore, schemas: SchemaSet, maxBodyBytes: number, operator: RequestHandler): Router {
  const router = Router();
  router.all(['/v1/agencies', '/v1/agencies/:code', '/v1/agencies\\:import'], operator);
  const view = (record: AgencyRecord) => {
    const directory = registry.directory();
    return { ...record, parent: directory.parentOf(record.code)?.code, children: directory.childrenOf(record.code).map((c) => c.code) };
  };

  router.get('/v1/agencies', (_req, res) => {
    res.json({ agencies: registry.directory().all().map(view) });
  });

  router.get('/v1/agencies/:code', (req, res) => {
    const record = registry.directory().get(req.params.code);
    if (!record) throw new HubError('not-found', `No agency ${req.params.code} in the directory.`);
    res.json(view(record));
  });

  router.put('/v1/agencies/:code', express.json({ limit: maxBodyBytes }), async (req, res) => {
    const body = req.body as Partial<AgencyRecord>;
    if (body?.code !== undefined && body.code !== req.params.code) {
      throw new HubError('validation-failed', 'The code in the body differs from the one in the path.', { errors: [{ path: '/code', message: `must be ${req.params.code}` }] });
    }
    const record = { ...body, code: req.params.code } as AgencyRecord;
    await writeAgencies(registry, schemas, [record], false);
    res.json(view(record));
  });

  router.post('/v1/agencies\\:import', express.text({ type: () => true, limit: maxBodyBytes }), async (req, res) => {
    const { records, issues } = parseAgencyImport(String(req.body ?? ''), importType(req));
    if (issues.length > 0) throw new HubError('validation-failed', `${issues.length} problem(s) in the import; nothing was imported.`, { errors: issues });
    await writeAgencies(registry, schemas, records, true);
    res.json({ imported: records.length });
  });
  return router;
}

function importType(req: Request): 'application/json' | 'text/csv' {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
  if (type === 'application/json' || type === 'text/csv') return type;
  throw new HubError('unsupported-media-type', `Import a JSON array as "application/json" or CSV (header code,name,level,parent) as "text/csv" (got "${type}").`);
}

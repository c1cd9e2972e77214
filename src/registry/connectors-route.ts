/**
 * The connector registry API (operators): list, show, register (the token is shown once), replace,
 * delete, rotate the token, and validate a manifest without registering it.
 */
import express, { Router, type RequestHandler } from 'express';
import { HubError } from '../contract/problems.ts';
import type { ValidationIssue } from '../contract/schema-set.ts';
import { issueCredential } from './connector-credentials.ts';
import type { ConnectorKinds } from './connector-kinds.ts';
import type { ConnectorEntry, RegistryStore } from './registry-store.ts';

const HIDDEN = '(hidden)';

export function connectorsRoute(registry: RegistryStore, kinds: ConnectorKinds, maxBodyBytes: number, operator: RequestHandler): Router {
  const router = Router();
  router.all(['/v1/connectors', '/v1/connectors/:id', '/v1/connectors\\:validate'], operator);
  const json = express.json({ limit: maxBodyBytes });
  const secretsOf = (kind: string) => kinds.get(kind)?.secretSettings ?? [];
  const view = ({ manifest, createdAt, updatedAt }: ConnectorEntry) => {
    const secrets = secretsOf(manifest.kind);
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

  router.get('/v1/connectors', (_req, res) => {
    res.json({ connectors: registry.connectors().map(view) });
  });

  router.get('/v1/connectors/:id', (req, res) => {
    res.json(view(existing(req.params.id)));
  });

  router.post('/v1/connectors\\:validate', json, (req, res) => {
    res.json({ valid: true, connector: checked(req.body) });
  });

  router.post('/v1/connectors', json, async (req, res) => {
    const manifest = checked(req.body);
    if (registry.connector(manifest.id)) throw new HubError('conflict', `A connector "${manifest.id}" is registered already; PUT /v1/connectors/${manifest.id} changes it.`);
    const { token, credential } = issueCredential(manifest.id);
    const now = new Date().toISOString();
    const entry = { manifest, credential, createdAt: now, updatedAt: now };
    await registry.putConnector(entry);
    res.status(201).json({ connector: view(entry), token });
  });

  router.put('/v1/connectors/:id', json, async (req, res) => {
    const before = existing(req.params.id);
    const body = req.body as { settings?: Record<string, unknown> };
    // A manifest read back from GET carries "(hidden)" for secrets: keep the stored ones.
    const settings = body?.settings && Object.fromEntries(Object.entries(body.settings).map(([k, v]) => [k, v === HIDDEN ? before.manifest.settings?.[k] : v]));
    const manifest = checked({ ...body, ...(settings ? { settings } : {}), id: req.params.id });
    if ((req.body as { id?: unknown })?.id !== undefined && (req.body as { id?: unknown }).id !== req.params.id) {
      throw invalid([{ path: '/id', message: `must be ${req.params.id}` }]);
    }
    const entry = { ...before, manifest, updatedAt: new Date().toISOString() };
    await registry.putConnector(entry);
    res.json(view(entry));
  });

  router.delete('/v1/connectors/:id', async (req, res) => {
    existing(req.params.id);
    await registry.deleteConnector(req.params.id);
    res.status(204).end();
  });

  // `{id}:rotate` is one path segment (a custom method, as in Google's API style guide).
  router.post('/v1/connectors/:target', async (req, res) => {
    const id = /^(.+):rotate$/.exec(req.params.target)?.[1];
    if (!id) throw new HubError('not-found', `No route for POST ${req.path}; did you mean POST /v1/connectors/{id}:rotate?`);
    const before = existing(id);
    const { token, credential } = issueCredential(id);
    await registry.putConnector({ ...before, credential, updatedAt: new Date().toISOString() });
    res.json({ token });
  });
  return router;
}

function invalid(errors: ValidationIssue[]): HubError {
  return new HubError('validation-failed', `${errors.length} problem(s) in the manifest; nothing was registered.`, { errors });
}

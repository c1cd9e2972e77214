/**
 * `POST /v1/connectors/{id}/inbound`: a connector's native format (an edXML package, the national
 * portal's JSON), decoded by its kind's adapter into messages, then accepted exactly like
 * `POST /v1/messages` (same checks, same answers).
 */
import express, { Router } from 'express';
import { AdapterError } from '../../connectors/kit/adapter.ts';
import { HubError } from '../contract/problems.ts';
import { connectorOf, requireConnector } from '../http/auth.ts';
import type { ConnectorKinds } from '../registry/connector-kinds.ts';
import type { RegistryStore } from '../registry/registry-store.ts';
import type { MessageIntake } from './message-intake.ts';

export function inboundRoute(intake: MessageIntake, registry: RegistryStore, kinds: ConnectorKinds, maxBodyBytes: number): Router {
  const router = Router();
  router.post('/v1/connectors/:id/inbound', requireConnector(() => registry), express.raw({ type: () => true, limit: maxBodyBytes }), async (req, res) => {
    const caller = connectorOf(res);
    if (caller.id !== req.params.id) throw new HubError('forbidden', `This token belongs to connector "${caller.id}", not "${req.params.id}".`);
    const { manifest } = registry.connector(caller.id)!;
    const adapter = kinds.get(manifest.kind);
    if (!adapter?.decode) throw new HubError('not-found', `Connectors of kind "${manifest.kind}" take no inbound native payloads; use POST /v1/messages.`);
    let events;
    try {
      events = adapter.decode({ contentType: req.headers['content-type'] ?? '', body: req.body as Buffer, headers: req.headers as Record<string, string> }, manifest);
    } catch (err) {
      if (!(err instanceof AdapterError)) throw err;
      throw new HubError('decode-failed', err.message, { errors: [{ path: err.path, message: err.message }] });
    }
    const accepted = await intake.accept({ ...caller, relay: adapter.relay ?? false }, events, events.length > 1);
    res.status(202).json({ accepted });
  });
  return router;
}

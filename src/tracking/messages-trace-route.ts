/**
 * `GET /v1/messages/{hub id}`: the trace of a message (`trace.ts`), for operators, for connectors
 * of the sending agency or of a recipient agency, and for the connector that handed it in (a
 * relay such as the national document axis). Anyone else gets the same `not-found` as for an
 * unknown id, so hub ids cannot be probed. `data` is not in the audit trail, so the trace never
 * carries it and `?include=data` is ignored.
 */
import { Router } from 'express';
import { HubError } from '../contract/problems.ts';
import { callerOf, requireCaller } from '../http/auth.ts';
import type { CredentialStore } from '../registry/connector-credentials.ts';
import type { TraceView } from './trace-view.ts';


export function messagesTraceRoute(view: TraceView, credentials: CredentialStore, adminToken: string): Router {
  const router = Router();
  router.get('/v1/messages/:id', requireCaller(() => credentials, adminToken));
  router.get('/v1/messages/:id', (req, res) => {
    const hubId = req.params.id;
    const caller = callerOf(res);
    const trace = view.trace(hubId);
    const allowed = caller.operator || view.visibleTo(hubId, caller.connector.agency) || trace?.message.connector === caller.connector.id;
    if (!trace || !allowed) throw new HubError('not-found', `No message "${hubId}" that this credential may see.`);
    res.setHeader('Cache-Control', 'no-store');
    res.json(trace);
  });
  return router;
}


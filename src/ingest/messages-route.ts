/**
 * `POST /v1/messages`: one event (`application/cloudevents+json`) or a batch
 * (`application/cloudevents-batch+json`, all-or-nothing). The body is read raw so that every
 * failure (too large, not JSON, wrong type) is answered in the hub's own problem+json terms.
 */
import express, { Router } from 'express';
import { HubError } from '../contract/problems.ts';
import { connectorOf, requireConnector } from '../http/auth.ts';
import type { CredentialStore } from '../registry/connector-credentials.ts';
import type { MessageIntake } from './message-intake.ts';

const SINGLE = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';

export interface MessagesRouteOptions {
  intake: MessageIntake;
  credentials: () => CredentialStore;
  maxBodyBytes: number;
  maxBatchSize: number;
}

export function messagesRoute({ intake, credentials, maxBodyBytes, maxBatchSize }: MessagesRouteOptions): Router {
  const router = Router();
  router.post(
    '/v1/messages',
    requireConnector(credentials),
    express.raw({ type: () => true, limit: maxBodyBytes }),
    async (req, res) => {
      const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (mediaType !== SINGLE && mediaType !== BATCH) {
        throw new HubError('unsupported-media-type', `Send one event as "${SINGLE}" or a batch as "${BATCH}" (got "${mediaType || 'no Content-Type'}").`);
      }
      const body = parseJson(req.body as Buffer);
      let items: unknown[];
      if (mediaType === BATCH) {
        if (!Array.isArray(body) || body.length === 0) {
          throw new HubError('validation-failed', 'A batch is a non-empty JSON array of CloudEvents.', { errors: [{ path: '', message: 'expected a non-empty array of events' }] });
        }
        if (body.length > maxBatchSize) {
          throw new HubError('batch-too-large', `The batch has ${body.length} events; the most is ${maxBatchSize} (LGSP_MAX_BATCH). Split it.`);
        }
        items = body;
      } else {
        items = [body];
      }
      const accepted = await intake.accept(connectorOf(res), items, mediaType === BATCH);
      res.status(202).json({ accepted });
    },
  );
  return router;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new HubError('malformed-json', `The body is not valid JSON: ${(err as Error).message}.`);
  }
}

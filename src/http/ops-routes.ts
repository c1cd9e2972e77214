/**
 * The operational routes, public: liveness, readiness, Prometheus metrics, and this API's own
 * description (`/openapi.json`, built by `createApp` from the whole route table).
 */
import type { Metrics } from '../ops/metrics.ts';
import type { Readiness } from '../ops/readiness.ts';
import { json, named, route, type Route } from './route.ts';

export interface OpsRoutesOptions {
  readonly metrics: Metrics;
  readonly readiness: Readiness;
  /** The OpenAPI document, built once the table is complete. */
  readonly document: () => object;
}

const READINESS = named('Readiness', {
  type: 'object',
  required: ['ready', 'checks'],
  properties: { ready: { type: 'boolean' }, checks: { type: 'object', additionalProperties: { type: 'string' }, description: '"ok", or what failed.' } },
});

export function opsRoutes({ metrics, readiness, document }: OpsRoutesOptions): Route[] {
  return [
    route({
      method: 'get',
      path: '/healthz',
      auth: 'public',
      tag: 'operations',
      summary: 'Liveness',
      responses: { 200: json({ type: 'object', required: ['status'], properties: { status: { const: 'live' } } }, 'The process is live.') },
      handle: () => ({ status: 200, json: { status: 'live' } }),
    }),
    route({
      method: 'get',
      path: '/readyz',
      auth: 'public',
      tag: 'operations',
      summary: 'Readiness: Kafka reachable and the registry loaded',
      responses: { 200: json(READINESS, 'Ready.'), 503: json(READINESS, 'Not ready; `checks` says what failed (this is not problem+json).') },
      handle: async () => {
        const report = await readiness.report();
        return { status: report.ready ? 200 : 503, json: report };
      },
    }),
    route({
      method: 'get',
      path: '/metrics',
      auth: 'public',
      tag: 'operations',
      summary: 'Prometheus metrics (SPEC §6)',
      responses: { 200: { description: 'Prometheus text exposition format.', content: { 'text/plain': { type: 'string' } } } },
      handle: async () => ({ status: 200, type: metrics.registry.contentType, body: await metrics.registry.metrics() }),
    }),
    route({
      method: 'get',
      path: '/openapi.json',
      auth: 'public',
      tag: 'operations',
      summary: 'This document',
      responses: { 200: json({ type: 'object' }, 'The OpenAPI 3.1 description of the API.') },
      handle: () => ({ status: 200, json: document() }),
    }),
  ];
}

/**
 * The operational routes, public: liveness, readiness, Prometheus metrics, and this API's own
 * description (`/openapi.json`, built by `createApp` from the whole route table). With
 * LGSP_METRICS_TOKEN set, `/metrics` asks for it as a bearer token (its numbers name every
 * connector and show the traffic); Prometheus sends it from its scrape job's `authorization`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { HubError } from '../contract/problems.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { Readiness } from '../ops/readiness.ts';
import { json, named, route, type Route } from './route.ts';
import { bearerToken } from './auth.ts';

export interface OpsRoutesOptions {
  readonly metrics: Metrics;
  readonly readiness: Readiness;
  /** The OpenAPI document, built once the table is complete. */
  readonly document: () => object;
  /** LGSP_METRICS_TOKEN: when set, `/metrics` needs it as a bearer token. */
  readonly metricsToken?: string | undefined;
}

const READINESS = named('Readiness', {
  type: 'object',
  required: ['ready', 'checks'],
  properties: {
    ready: { type: 'boolean' },
    checks: { type: 'object', additionalProperties: { type: 'string' }, description: '"ok", or what failed.' },
    work: {
      type: 'object',
      additionalProperties: { type: 'string' },
      description: 'Routing and delivery: "consuming", or what they wait for (a restarted hub is ready before they have joined their consumer groups).',
    },
  },
});

export function opsRoutes({ metrics, readiness, document, metricsToken }: OpsRoutesOptions): Route[] {
  const isMetricsToken = metricsToken === undefined ? undefined : tokenCheck(metricsToken);
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
      ...(isMetricsToken ? { description: 'Needs "Authorization: Bearer <LGSP_METRICS_TOKEN>".', problems: ['unauthenticated'] as const } : {}),
      responses: { 200: { description: 'Prometheus text exposition format.', content: { 'text/plain': { type: 'string' } } } },
      handle: async ({ headers }) => {
        if (isMetricsToken && !isMetricsToken(bearerToken(headers.authorization))) {
          throw new HubError(
            'unauthenticated',
            '/metrics needs "Authorization: Bearer <LGSP_METRICS_TOKEN>" (in Prometheus: the scrape job\'s `authorization` block, see docs/operations.md).',
          );
        }
        return { status: 200, type: metrics.registry.contentType, body: await metrics.registry.metrics() };
      },
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

/** Compares presented tokens with `expected` in constant time (both hashed to one length first). */
function tokenCheck(expected: string): (token: string | undefined) => boolean {
  const digest = (token: string) => createHash('sha256').update(token).digest();
  const wanted = digest(expected);
  return (token) => token !== undefined && timingSafeEqual(digest(token), wanted);
}

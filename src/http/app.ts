/**
 * Express app assembly: the operational routes and the feature modules' route lists form one
 * route table, bound to express (`route-binding.ts`) and described at `/openapi.json`. Throws
 * `RouteTableError` when the table is not safe to serve (a route without a declared caller).
 */
import express from 'express';
import type { SchemaSet } from '../contract/schema-set.ts';
import type { Metrics } from '../ops/metrics.ts';
import { httpMetrics } from '../ops/http-metrics.ts';
import type { Logger } from '../ops/logger.ts';
import type { AuditSink } from '../operators/audit-trail.ts';
import type { Readiness } from '../ops/readiness.ts';
import { authenticator, type AuthOptions } from './auth.ts';
import { openApiDocument } from './openapi.ts';
import { opsRoutes } from './ops-routes.ts';
import { notFound, problemHandler } from './problem-handler.ts';
import { bindRoutes } from './route-binding.ts';
import type { CheckSignature } from './request-signature.ts';
import type { Route } from './route.ts';

export interface AppParts {
  readonly metrics: Metrics;
  readonly readiness: Readiness;
  readonly logger: Logger;
  /** The one ajv instance: compiles the routes' schemas; its files become OpenAPI components. */
  readonly schemas: SchemaSet;
  readonly auth: AuthOptions;
  /** LGSP_MAX_BODY_BYTES. */
  readonly maxBodyBytes: number;
  /** LGSP_MAX_JSON_DEPTH; default 64. */
  readonly maxJsonDepth?: number;
  /** The feature modules' routes. */
  readonly routes?: readonly Route[];
  /** LGSP_METRICS_TOKEN: when set, `/metrics` needs it. */
  readonly metricsToken?: string | undefined;
  /** The operators' audit trail (`src/operators/audit-trail.ts`); without it nothing is audited. */
  readonly audit?: AuditSink;
  /** The request signatures of `hmac-sha256` connectors (`request-signature.ts`); without it none is checked. */
  readonly checkSignature?: CheckSignature;
  /** Top-level members `/openapi.json` computes at each request, beside the table's fixed description (e.g. the service catalogue's links). */
  readonly documentExtras?: () => Record<string, unknown>;
}

export function createApp({
  metrics,
  readiness,
  logger,
  schemas,
  auth,
  maxBodyBytes,
  maxJsonDepth = 64,
  routes = [],
  metricsToken,
  audit,
  checkSignature,
  documentExtras,
}: AppParts): express.Express {
  const served = () => (documentExtras ? { ...document, ...documentExtras() } : document);
  const table = [...opsRoutes({ metrics, readiness, document: served, metricsToken }), ...routes];
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(httpMetrics(metrics));
  bindRoutes(app, table, { schemas, authenticate: authenticator(auth), maxBodyBytes, maxJsonDepth, audit, checkSignature });
  const document = openApiDocument(table, schemas, { maxBodyBytes });
  app.use(notFound);
  app.use(problemHandler(logger));
  return app;
}

/**
 * Express app assembly: the operational routes here, the feature routers handed in by the hub.
 */
import express, { type Router } from 'express';
import { consoleRoute } from '../console/console-route.ts';
import type { Metrics } from '../ops/metrics.ts';
import { httpMetrics } from '../ops/http-metrics.ts';
import type { Logger } from '../ops/logger.ts';
import type { Readiness } from '../ops/readiness.ts';
import { openApiDocument } from './openapi.ts';
import { notFound, problemHandler } from './problem-handler.ts';

export interface AppParts {
  metrics: Metrics;
  readiness: Readiness;
  logger: Logger;
  routers?: readonly Router[];
}

export function createApp({ metrics, readiness, logger, routers = [] }: AppParts): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(httpMetrics(metrics));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'live' });
  });
  app.get('/readyz', async (_req, res) => {
    const report = await readiness.report();
    res.status(report.ready ? 200 : 503).json(report);
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  app.use(consoleRoute());
  for (const router of routers) app.use(router);
  app.use(notFound);
  app.use(problemHandler(logger));
  return app;
}

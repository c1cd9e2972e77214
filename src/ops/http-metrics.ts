/** Express middleware feeding `lgsp_http_request_duration_seconds{route,method,status}`. */
import type { RequestHandler } from 'express';
import type { Metrics } from './metrics.ts';

export function httpMetrics(metrics: Metrics): RequestHandler {
  const duration = metrics.histogram(
    'lgsp_http_request_duration_seconds',
    'HTTP request duration by route',
    ['route', 'method', 'status'],
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  );
  return (req, res, next) => {
    const end = duration.startTimer();
    res.once('finish', () => {
      // The declared route path (OpenAPI style, set by the route binding), never the raw path:
      // message ids must not become label values.
      const route = typeof res.locals.route === 'string' ? res.locals.route : 'unmatched';
      end({ route, method: req.method, status: String(res.statusCode) });
    });
    next();
  };
}

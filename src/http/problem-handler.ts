/**
 * The last express middleware: every error becomes RFC 9457 problem+json. Express's own body
 * errors (too large, bad encoding) are mapped to the catalogue; anything unknown is a 500
 * whose detail hides internals (they go to the log).
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { HubError } from '../contract/problems.ts';
import type { Logger } from '../ops/logger.ts';

export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const problem = asHubError(err);
    if (problem.code === 'internal') logger.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
    const retryAfter = problem.extra.retryAfterSeconds;
    if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem.toProblem(req.originalUrl)));
  };
}

/** Routes nobody matched answer 404 as problem+json too. */
export const notFound: RequestHandler = (req, _res, next) => {
  next(new HubError('not-found', `No route for ${req.method} ${req.path}.`));
};

function asHubError(err: unknown): HubError {
  if (err instanceof HubError) return err;
  const bodyError = err as { type?: string; limit?: number; status?: number };
  if (bodyError.type === 'entity.parse.failed') {
    return new HubError('malformed-json', `The body is not valid JSON: ${(err as Error).message}.`);
  }
  if (bodyError.type === 'entity.too.large') {
    return new HubError('body-too-large', `The body is larger than ${bodyError.limit} bytes (LGSP_MAX_BODY_BYTES). Send attachments by reference (href) or split the batch.`);
  }
  return new HubError('internal', 'The hub failed to handle this request; it has been logged.', { cause: err });
}

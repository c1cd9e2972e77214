/**
 * The last express middleware, and the one place where errors become RFC 9457 problem+json:
 * a `HubError` as it is; the body reader's errors (too large, bad encoding or charset, cut off,
 * not inflating) and express's failure to decode a path parameter mapped to the catalogue;
 * anything else a 500 whose detail hides internals (they go to the log).
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { HubError, type ProblemCode } from '../contract/problems.ts';
import type { Logger } from '../ops/logger.ts';

interface ProblemHeader {
  readonly description: string;
  readonly schema: { readonly type: 'string' | 'integer' };
  value(error: HubError): string | undefined;
}

const RETRY_AFTER: ProblemHeader = {
  description: 'Seconds to wait before retrying with the same ids.',
  schema: { type: 'integer' },
  value: (e) => e.extra.retryAfterSeconds?.toString(),
};

const CHALLENGE: ProblemHeader = { description: 'Bearer realm="lgsp-hub"', schema: { type: 'string' }, value: () => 'Bearer realm="lgsp-hub"' };

/** Headers a problem answer carries, by problem code: set here, documented in `/openapi.json`. */
export const PROBLEM_HEADERS: Readonly<Partial<Record<ProblemCode, Readonly<Record<string, ProblemHeader>>>>> = {
  unauthenticated: { 'WWW-Authenticate': CHALLENGE },
  'bad-signature': { 'WWW-Authenticate': CHALLENGE },
  'kafka-unavailable': { 'Retry-After': RETRY_AFTER },
  'rate-limited': { 'Retry-After': RETRY_AFTER },
  'service-quota-exceeded': { 'Retry-After': RETRY_AFTER },
  'provider-unavailable': { 'Retry-After': RETRY_AFTER },
};

export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const problem = asHubError(err);
    if (problem.code === 'internal') logger.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
    res.set(problemHeaders(problem));
    res
      .status(problem.status)
      .type('application/problem+json')
      .send(JSON.stringify(problem.toProblem(req.originalUrl)));
  };
}

/** The headers `problem` is answered with (`Retry-After`, `WWW-Authenticate`), by its code. */
export function problemHeaders(problem: HubError): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [header, { value }] of Object.entries(PROBLEM_HEADERS[problem.code] ?? {})) {
    const text = value(problem);
    if (text !== undefined) headers[header] = text;
  }
  return headers;
}

/** Routes nobody matched answer 404 as problem+json too. */
export const notFound: RequestHandler = (req, _res, next) => {
  next(new HubError('not-found', `No route for ${req.method} ${req.path}.`));
};

/** body-parser's and raw-body's error `type`s → the catalogue. */
const BODY_ERRORS: Readonly<Record<string, (e: { limit?: number; encoding?: string; charset?: string; message: string }) => HubError>> = {
  'entity.parse.failed': (e) => new HubError('malformed-json', `The body is not valid JSON: ${e.message}.`),
  'entity.too.large': (e) =>
    new HubError('body-too-large', `The body is larger than ${e.limit} bytes (LGSP_MAX_BODY_BYTES). Send attachments by reference (href) or split the batch.`),
  'encoding.unsupported': (e) =>
    new HubError('unsupported-encoding', `Content-Encoding "${e.encoding}" is not supported: send the body uncompressed, or as gzip, deflate, br or zstd.`),
  'charset.unsupported': (e) => new HubError('unsupported-media-type', `The charset "${e.charset}" is not supported: send UTF-8.`),
  'request.aborted': () => new HubError('malformed-request', 'The request was aborted before its body was complete.'),
  'request.size.invalid': () => new HubError('malformed-request', 'The body is not as long as its Content-Length says.'),
};

/** The problem an error is answered with (also what the audit trail records of a failed request). */
export function asHubError(err: unknown): HubError {
  if (err instanceof HubError) return err;
  const { type } = err as { type?: unknown };
  const body = typeof type === 'string' ? BODY_ERRORS[type] : undefined;
  if (body) return body(err as Parameters<typeof body>[0]);
  if (err instanceof URIError && (err as { status?: number }).status === 400) {
    return new HubError('malformed-request', `The path is not valid percent-encoded UTF-8: ${err.message}.`);
  }
  // Any other client error of the body reader (http-errors, `expose`): a body that does not inflate as its Content-Encoding says.
  const { status, expose } = err as { status?: unknown; expose?: unknown };
  if (expose === true && typeof status === 'number' && status >= 400 && status < 500) {
    return new HubError('malformed-request', `The body could not be read: ${(err as Error).message}.`);
  }
  return new HubError('internal', 'The hub failed to handle this request; it has been logged.', { cause: err });
}

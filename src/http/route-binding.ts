/**
 * The express binding of the route table: checks the table (`checkRouteTable`, deny by default),
 * compiles every route's schemas once, and registers each route at its path. Per request, in this
 * order: authenticate by the route's `auth` (the bearer token, and over HTTPS the client
 * certificate), check the operator's role, read and check params, query and body
 * (`request-input.ts`; the body bytes, or none, go through the connector's request signature check
 * first, `request-signature.ts`), call the handler, record the audit entry, send its reply. Every failure is
 * thrown, and answered by `problem-handler.ts`.
 *
 * The audit trail is derived here, once for every route: each request of an operator that is not
 * a GET, and each refused attempt on an operator route (403, and 401 with a token in an operator's
 * form: anonymous noise is left to the HTTP metrics), becomes an `OperatorAction`
 * written before the answer goes out; a failed write turns the answer into 503.
 */
import type { TLSSocket } from 'node:tls';
import type { Express, Request, RequestHandler, Response } from 'express';
import type { SchemaSet } from '../contract/schema-set.ts';
import { auditedParams, bodyIdentifiers, type OperatorAction } from '../operators/audit-entry.ts';
import type { AuditSink } from '../operators/audit-trail.ts';
import { claimedOperator } from '../operators/operator-tokens.ts';
import { authorize, bearerToken, isOperator, type Authenticate } from './auth.ts';
import { asHubError } from './problem-handler.ts';
import { bodyReader, paramsReader, queryReader } from './request-input.ts';
import type { CheckSignature } from './request-signature.ts';
import type { JsonSchema, Reply, Route } from './route.ts';
import { checkRouteTable, expressPath, restParameter, routeName } from './route-table.ts';

export interface BindingOptions {
  readonly schemas: SchemaSet;
  readonly authenticate: Authenticate;
  /** LGSP_MAX_BODY_BYTES: the body limit of routes that declare none. */
  readonly maxBodyBytes: number;
  /** LGSP_MAX_JSON_DEPTH: deepest nesting of a JSON body. */
  readonly maxJsonDepth: number;
  /** Where operators' actions and refused attempts are recorded; none: not audited (unit tests). */
  readonly audit?: AuditSink;
  /** The request signatures of `hmac-sha256` connectors; none: not checked (unit tests). */
  readonly checkSignature?: CheckSignature;
}

/** Throws `RouteTableError` (before registering anything) when the table is not safe to serve. */
export function bindRoutes(app: Express, routes: readonly Route[], options: BindingOptions): void {
  checkRouteTable(routes);
  const handlers = routes.map((route) => [route, handlerOf(route, options)] as const);
  for (const [route, handler] of handlers) app[route.method](expressPath(route.path), handler);
}

function handlerOf(route: Route, { schemas, authenticate, maxBodyBytes, maxJsonDepth, audit, checkSignature }: BindingOptions): RequestHandler {
  const readParams = route.params && paramsReader(schemas, route.params as JsonSchema);
  const readQuery = route.query && queryReader(schemas, route.query as JsonSchema);
  const readBody = route.body && bodyReader(schemas, route.body, { maxBytes: maxBodyBytes, maxJsonDepth });
  const statuses = new Set(Object.keys(route.responses).map(Number));
  const name = routeName(route);
  const rest = restParameter(route.path);
  return async (req, res) => {
    res.locals.route = route.path; // the metrics label: the declared path, never the raw one
    const seen: Seen = {};
    try {
      const caller = (seen.caller = authenticate(route.auth, { authorization: req.headers.authorization, certificate: peerCertificate(req) }));
      authorize(route, caller);
      const params = readParams ? readParams(pathValues(req, rest), req.path) : {};
      const query = readQuery ? readQuery(req.query as Record<string, unknown>) : {};
      const signed = (bytes: Buffer) => checkSignature?.(caller, req.headers, bytes);
      if (!readBody) signed(Buffer.alloc(0));
      const body = readBody ? await readBody(req, res, signed) : { mediaType: undefined, value: undefined };
      seen.body = body.value;
      const rawQuery = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
      const reply = await route.handle({
        caller,
        params,
        query,
        body: body.value,
        mediaType: body.mediaType,
        headers: req.headers,
        rawQuery,
        method: req.method,
      });
      if (!statuses.has(reply.status) && !route.passedOn) throw new Error(`${name} answered ${reply.status}, which its route does not declare`);
      if (audit && audited(route, req, seen)) await audit(actionOf(route, req, seen, reply.status));
      send(res, reply);
    } catch (err) {
      const problem = asHubError(err);
      if (audit && audited(route, req, seen, problem.code)) await audit(actionOf(route, req, seen, problem.status, problem.code));
      throw err;
    }
  };
}

/** The path parameters as strings; a rest parameter's segments (express decodes each) joined again, each percent-encoded as a path segment. */
function pathValues(req: Request, rest: string | undefined): Record<string, string> {
  const params = req.params as Record<string, string | string[]>;
  const segments = rest === undefined ? undefined : params[rest];
  if (!Array.isArray(segments)) return params as Record<string, string>;
  return { ...params, [rest!]: segments.map(encodeSegment).join('/') } as Record<string, string>;
}

/** RFC 3986 `segment` encoding: `:`, `@` and the sub-delimiters stay as they are (`citizens:verify`). */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/%(3A|40|21|24|26|27|28|29|2A|2B|2C|3B|3D)/g, (escaped) => decodeURIComponent(escaped));
}

interface Seen {
  caller?: unknown;
  body?: unknown;
}

/**
 * Operators' changes (every method but GET), their refusals (403), and failed sign-ins on operator
 * routes (401) with a token that names an operator: a record kept forever for each anonymous
 * request would let anyone who reaches the port fill the disk.
 */
function audited(route: Route, req: Request, { caller }: Seen, problem?: string): boolean {
  if (isOperator(caller)) return route.method !== 'get' || problem === 'forbidden';
  const claimed = claimedOperator(bearerToken(req.headers.authorization) ?? '');
  return caller === undefined && route.auth === 'operator' && problem === 'unauthenticated' && claimed !== undefined;
}

function actionOf(route: Route, req: Request, { caller, body }: Seen, outcome: number, problem?: OperatorAction['problem']): OperatorAction {
  const claimed = isOperator(caller) ? undefined : claimedOperator(bearerToken(req.headers.authorization) ?? '');
  const params = auditedParams(req.params as Record<string, string>, req.query as Record<string, unknown>);
  const identifiers = bodyIdentifiers(body);
  return {
    ...(isOperator(caller) ? { operator: caller.name, role: caller.role } : {}),
    ...(claimed ? { claimed } : {}),
    action: routeName(route),
    ...(params ? { params } : {}),
    ...(identifiers ? { body: identifiers } : {}),
    outcome,
    ...(problem ? { problem } : {}),
  };
}

/** The SHA-256 fingerprint (`AA:BB:…`) of the client certificate, over HTTPS when the client sent one. */
function peerCertificate(req: Request): string | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  return typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate().fingerprint256 || undefined : undefined;
}

function send(res: Response, reply: Reply): void {
  if (reply.headers) res.set(reply.headers);
  res.status(reply.status);
  if ('json' in reply) res.json(reply.json);
  else if ('body' in reply) res.type(reply.type).send(reply.body);
  else res.end();
}

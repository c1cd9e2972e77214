/**
 * The express binding of the route table: checks the table (`checkRouteTable`, deny by default),
 * compiles every route's schemas once, and registers each route at its path. Per request, in this
 * order: authenticate by the route's `auth`, read and check params, query and body
 * (`request-input.ts`), call the handler, send its reply. Every failure is thrown, and answered
 * by `problem-handler.ts`.
 */
import type { Express, RequestHandler, Response } from 'express';
import type { SchemaSet } from '../contract/schema-set.ts';
import type { Authenticate } from './auth.ts';
import { bodyReader, paramsReader, queryReader } from './request-input.ts';
import type { JsonSchema, Reply, Route } from './route.ts';
import { checkRouteTable, expressPath, routeName } from './route-table.ts';

export interface BindingOptions {
  readonly schemas: SchemaSet;
  readonly authenticate: Authenticate;
  /** LGSP_MAX_BODY_BYTES: the body limit of routes that declare none. */
  readonly maxBodyBytes: number;
  /** LGSP_MAX_JSON_DEPTH: deepest nesting of a JSON body. */
  readonly maxJsonDepth: number;
}

/** Throws `RouteTableError` (before registering anything) when the table is not safe to serve. */
export function bindRoutes(app: Express, routes: readonly Route[], options: BindingOptions): void {
  checkRouteTable(routes);
  const handlers = routes.map((route) => [route, handlerOf(route, options)] as const);
  for (const [route, handler] of handlers) app[route.method](expressPath(route.path), handler);
}

function handlerOf(route: Route, { schemas, authenticate, maxBodyBytes, maxJsonDepth }: BindingOptions): RequestHandler {
  const readParams = route.params && paramsReader(schemas, route.params as JsonSchema);
  const readQuery = route.query && queryReader(schemas, route.query as JsonSchema);
  const readBody = route.body && bodyReader(schemas, route.body, { maxBytes: maxBodyBytes, maxJsonDepth });
  const statuses = new Set(Object.keys(route.responses).map(Number));
  const name = routeName(route);
  return async (req, res) => {
    res.locals.route = route.path; // the metrics label: the declared path, never the raw one
    const caller = authenticate(route.auth, req.headers.authorization);
    const params = readParams ? readParams(req.params as Record<string, string>, req.path) : {};
    const query = readQuery ? readQuery(req.query as Record<string, unknown>) : {};
    const body = readBody ? await readBody(req, res) : { mediaType: undefined, value: undefined };
    const reply = await route.handle({ caller, params, query, body: body.value, mediaType: body.mediaType, headers: req.headers });
    if (!statuses.has(reply.status)) throw new Error(`${name} answered ${reply.status}, which its route does not declare`);
    send(res, reply);
  };
}

function send(res: Response, reply: Reply): void {
  if (reply.headers) res.set(reply.headers);
  res.status(reply.status);
  if ('json' in reply) res.json(reply.json);
  else if ('body' in reply) res.type(reply.type).send(reply.body);
  else res.end();
}

/**
 * The checks a route table passes before the app starts, and what the binding and the OpenAPI
 * derivation both read from a route. Deny by default: a route that does not declare who may call
 * it (`auth`) stops the start with `route-without-caller`; so does any other inconsistency
 * (`route-table-invalid`): a duplicate, a path parameter without its schema, a body no one checks.
 */
import { LgspError } from '../contract/errors.ts';
import type { ProblemCode } from '../contract/problems.ts';
import { AUTHS, METHODS, type JsonSchema, type Route } from './route.ts';

export const ROUTE_TABLE_ERROR_CODES = ['route-without-caller', 'route-table-invalid'] as const;
export type RouteTableErrorCode = (typeof ROUTE_TABLE_ERROR_CODES)[number];

/** Thrown by `createApp` when the route table is unsafe or inconsistent; names the route. */
export class RouteTableError extends LgspError<RouteTableErrorCode> {
  readonly route: string;

  constructor(code: RouteTableErrorCode, route: string, detail: string) {
    super(code, `${route}: ${detail}`);
    this.route = route;
  }
}

/** Path parameter names, in order: `/v1/dead-letters/{id}:replay` → `['id']`; a rest parameter `{path+}` → `path`. */
export function pathParameters(path: string): string[] {
  return [...path.matchAll(/\{(\w+)\+?\}/g)].map((m) => m[1]!);
}

/** The rest parameter of a path (`{name+}`, last), if it has one. */
export function restParameter(path: string): string | undefined {
  return /\{(\w+)\+\}$/.exec(path)?.[1];
}

/** The OpenAPI path: a rest parameter `{name+}` is written `{name}` (OpenAPI has no multi-segment parameter). */
export function openApiPath(path: string): string {
  return path.replace(/\{(\w+)\+\}/g, '{$1}');
}

/** The express path of an OpenAPI-style path: `{id}` → `:id`, `{rest+}` → `*rest`, a literal `:` (custom methods) escaped. */
export function expressPath(path: string): string {
  return path.replace(/\{(\w+)(\+?)\}|([:*?+!()[\]\\])/g, (_m, name: string | undefined, rest: string, literal: string) =>
    name ? `${rest ? '*' : ':'}${name}` : `\\${literal}`,
  );
}

export function routeName(route: Pick<Route, 'method' | 'path'>): string {
  return `${String(route.method).toUpperCase()} ${route.path}`;
}

/** Throws `RouteTableError` for the first route that is not safe to serve. */
export function checkRouteTable(routes: readonly Route[]): void {
  const seen = new Set<string>();
  for (const route of routes) {
    const name = routeName(route);
    const invalid = (detail: string) => new RouteTableError('route-table-invalid', name, detail);
    if (!(AUTHS as readonly unknown[]).includes(route.auth)) {
      throw new RouteTableError(
        'route-without-caller',
        name,
        `declares no caller (auth is ${JSON.stringify(route.auth)}); every route says who may call it: ${AUTHS.join(', ')}. Routes are closed by default.`,
      );
    }
    if (!(METHODS as readonly unknown[]).includes(route.method)) throw invalid(`method must be one of ${METHODS.join(', ')}`);
    if (!/^(\/([\w.-]|\{\w+\}|:)+)+(\/\{\w+\+\})?$/.test(route.path))
      throw invalid('the path is not /segment/{param}/..., with a custom method as {param}:verb and at most a last {rest+}');
    const shape = `${route.method} ${route.path.replace(/\{\w+\+?\}/g, '{}').toLowerCase()}`;
    if (seen.has(shape)) throw invalid('declared twice (or a route of the same shape exists)');
    seen.add(shape);
    const inPath = pathParameters(route.path);
    const declared = Object.keys(propertiesOf(route.params));
    if (inPath.join() !== declared.join())
      throw invalid(`path parameters ${JSON.stringify(inPath)} differ from the properties of params ${JSON.stringify(declared)}`);
    if (route.query && route.query.type !== 'object') throw invalid('query must be an object schema');
    if (route.body) {
      const read = route.body.read ?? 'json';
      if (Object.keys(route.body.content).length === 0) throw invalid('a body needs at least one media type');
      if (read !== 'json' && !route.body.checkedBy) throw invalid(`a ${read} body is not checked by the route table: name its check in checkedBy`);
    }
    if (!Object.keys(route.responses).some((s) => /^2\d\d$/.test(s))) throw invalid('declares no success answer');
    if (typeof route.handle !== 'function') throw invalid('has no handler');
  }
}

export function propertiesOf(schema: JsonSchema | undefined): Record<string, JsonSchema> {
  return (schema?.properties ?? {}) as Record<string, JsonSchema>;
}

/** Every problem a route may answer: its own, plus those of its authentication, parsing and validation. */
export function problemsOf(route: Route): ProblemCode[] {
  const codes = new Set<ProblemCode>();
  if (route.auth !== 'public') codes.add('unauthenticated');
  // An operator's role may be too weak; an operator's change is answered only once audited.
  if (route.auth === 'operator' || route.auth === 'caller') codes.add('forbidden');
  if ((route.auth === 'operator' || route.auth === 'caller') && route.method !== 'get') codes.add('kafka-unavailable');
  // A connector's token bucket (LGSP_RATE_LIMIT, its manifest's rateLimit) counts every request it makes;
  // one whose manifest says auth.scheme hmac-sha256 signs each (`request-signature.ts`).
  if (route.auth === 'connector' || route.auth === 'caller') codes.add('rate-limited').add('bad-signature');
  if (route.params) codes.add('malformed-request').add('not-found');
  if (route.query) codes.add('validation-failed');
  if (route.body) {
    codes.add('malformed-request').add('unsupported-media-type').add('unsupported-encoding').add('body-too-large');
    if ((route.body.read ?? 'json') === 'json') codes.add('malformed-json');
    if (!route.body.checkedBy) codes.add('validation-failed');
  }
  for (const code of route.problems ?? []) codes.add(code);
  codes.add('internal');
  return [...codes];
}

/**
 * The route table's one declaration per HTTP route. A feature module exports its list of
 * `route({...})`s; the hub hands their union to `createApp`, which derives from each route its
 * express registration, authentication, request parsing and validation (`route-binding.ts`) and
 * its operation in `/openapi.json` (`openapi.ts`). Nothing else declares a route.
 *
 * Request schemas (params, query, body) are TypeBox schemas where a handler reads them, so its
 * input is typed by the same declaration that validates it (a plain JSON Schema gives `unknown`);
 * they may `$ref` the contract's schemas by `$id`
 * (`contractRef`). A schema part with a plain-name `$id` (`named`) becomes a
 * `components/schemas` entry of that name in `/openapi.json`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';
import type { ProblemCode } from '../contract/problems.ts';
import { SCHEMA_BASE, type SchemaSet } from '../contract/schema-set.ts';
import type { ConnectorIdentity } from '../registry/connector-credentials.ts';

/** Who may call a route. There is no default: a route that does not say is refused at start. */
export const AUTHS = ['public', 'operator', 'connector', 'caller'] as const;
export type Auth = (typeof AUTHS)[number];

/**
 * What an operator's role allows, each role including the ones before it. An operator route
 * (`auth: 'operator'` or `'caller'`) needs `viewer` to read (GET) and `operator` to change
 * anything, unless it declares its own `role` (e.g. `admin` for managing operators).
 */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;
export type Method = (typeof METHODS)[number];

/** An authenticated operator: a named account of the registry (`src/operators/`) and its role. */
export interface Operator {
  readonly operator: true;
  readonly name: string;
  readonly role: Role;
}
/** The caller of an `auth: 'caller'` route: the operator, or a connector. */
export type Caller = Operator | { readonly operator: false; readonly connector: ConnectorIdentity };
/** What a handler learns about its caller, by the route's `auth`. */
export type CallerOf<A extends Auth> = A extends 'public' ? undefined : A extends 'operator' ? Operator : A extends 'connector' ? ConnectorIdentity : Caller;

export type JsonSchema = { readonly [keyword: string]: unknown };
/** What a handler receives for a schema: its TypeBox type, or `unknown` for a plain JSON Schema. */
export type StaticOf<S> = S extends TSchema ? Static<S> : unknown;

export interface BodySpec<B extends JsonSchema = JsonSchema> {
  /** Each media type the route takes (`type/*` and `*\/*` allowed), with its schema. Others: 415. */
  readonly content: Readonly<Record<string, B>>;
  /** `json` (default): parsed, then checked against `content` unless `checkedBy` says who checks it; `text`: a string; `bytes`: a Buffer. */
  readonly read?: 'json' | 'text' | 'bytes';
  /**
   * The domain check the handler hands the body to (required for `text` and `bytes`), when the
   * route's schema only documents it: e.g. the message intake, which answers per event.
   */
  readonly checkedBy?: string;
  /** Default: LGSP_MAX_BODY_BYTES. */
  readonly maxBytes?: number;
  readonly description?: string;
}

export interface ResponseSpec {
  readonly description: string;
  /** Media type → schema of the answer. */
  readonly content?: Readonly<Record<string, JsonSchema>>;
}

/** A handler's answer: JSON, a body of a given type, or nothing. Its status must be one the route declares. */
export type Reply = { readonly status: number; readonly headers?: Readonly<Record<string, string>> } & (
  { readonly json: unknown } | { readonly body: string | Buffer; readonly type: string } | Record<never, never>
);

export interface RouteInput<A extends Auth, P, Q, B> {
  readonly caller: CallerOf<A>;
  /** Path parameters, decoded and checked against `params`. */
  readonly params: P;
  /** Query parameters, typed from strings by `query`, defaults applied, checked. */
  readonly query: Q;
  readonly body: B;
  /** The request's media type (lower case, no parameters), when it has a body. */
  readonly mediaType: string | undefined;
  readonly headers: IncomingHttpHeaders;
  /** The query string as sent, without the `?` (`''` when none): for routes that pass it on (a service call). */
  readonly rawQuery: string;
  /** The request's method as sent: `HEAD` reaches a `get` route. */
  readonly method: string;
}

export interface RouteSpec<A extends Auth = Auth, P extends JsonSchema = JsonSchema, Q extends JsonSchema = JsonSchema, B extends JsonSchema = JsonSchema> {
  readonly method: Method;
  /** OpenAPI style: `/v1/connectors/{id}:rotate`. */
  readonly path: string;
  readonly auth: A;
  /** The least operator role the route needs; default `viewer` for GET, `operator` otherwise. */
  readonly role?: Role;
  readonly tag: string;
  readonly summary: string;
  readonly description?: string;
  /**
   * An object schema with one string property per `{name}` in the path (each with `examples`). A value it refuses is `not-found`.
   * The path's last parameter may be written `{name+}`: it then takes the rest of the path, slashes included (`a/b/c`).
   */
  readonly params?: P;
  /** An object schema of the query parameters; a property with a `default` is optional to callers. A value it refuses is `validation-failed`. */
  readonly query?: Q;
  readonly body?: BodySpec<B>;
  /** The success answers (and any other non-problem answer, such as `/readyz`'s 503). */
  readonly responses: Readonly<Record<number, ResponseSpec>>;
  /**
   * Answers passed on from another system with whatever status it gave (a data-sharing service's
   * provider): the handler may then answer any status, documented as the `default` response.
   */
  readonly passedOn?: ResponseSpec;
  /** The problems the handler itself may answer; those of authentication, parsing and validation are derived. */
  readonly problems?: readonly ProblemCode[];
  handle(input: RouteInput<A, StaticOf<P>, StaticOf<Q>, StaticOf<B>>): Reply | Promise<Reply>;
}

/** A route of the table, whatever its types. */
export type Route = RouteSpec;

/** Declares a route; the types of its handler's input follow from its schemas. */
export function route<A extends Auth, P extends JsonSchema = JsonSchema, Q extends JsonSchema = JsonSchema, B extends JsonSchema = JsonSchema>(
  spec: RouteSpec<A, P, Q, B>,
): Route {
  return spec;
}

/** A JSON answer. */
export function json(schema: JsonSchema, description: string): ResponseSpec {
  return { description, content: { 'application/json': schema } };
}

/** `schema` as the component `name` of `/openapi.json`. */
export function named<S extends JsonSchema>(name: string, schema: S): S & { $id: string } {
  return { $id: name, ...schema };
}

/** A reference to a schema of `schemas/` (`agency.schema.json`, `#/properties/code`), typed `T` for handlers. */
export function contractRef<T = unknown>(file: string, pointer = ''): TUnsafe<T> {
  return Type.Unsafe<T>({ $ref: `${SCHEMA_BASE}${file}${pointer ? `#${pointer}` : ''}` });
}

/** One `contractRef` per property of the contract's object schema `file`, to build views of it. */
export function propertyRefs(schemas: SchemaSet, file: string): Record<string, JsonSchema> {
  const schema = schemas.files.find((f) => f.file === file)?.schema;
  if (!schema) throw new Error(`no schema ${file} under schemas/`);
  return Object.fromEntries(Object.keys((schema.properties ?? {}) as object).map((p) => [p, contractRef(file, `/properties/${p}`)]));
}

/** A string of a closed set (`enum`), typed as the union. */
export function stringEnum<T extends string>(values: readonly T[], options: JsonSchema = {}): TUnsafe<T> {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], ...options });
}

/**
 * `components/schemas` of `/openapi.json`: every file under `schemas/` (as `SchemaSet` read them)
 * and every named part of the routes' schemas, with every `$ref` pointing inside the document.
 *
 * A contract file's `$ref`s are rewritten from `$id`-relative references
 * (`../common.schema.json#/$defs/date`) to in-document ones
 * (`#/components/schemas/Common/$defs/date`), its `$id`/`$schema` dropped (kept in `$comment`), so
 * any OpenAPI tool resolves them without a schema registry. A route schema's `$ref` to a contract
 * `$id` is rewritten the same way, and a part with a plain-name `$id` (`named`) becomes the
 * component of that name, referenced where it stood. Throws when a `$ref` points outside
 * `schemas/` or two different schemas take one name.
 */
import { SCHEMA_BASE, type SchemaFile } from '../contract/schema-set.ts';
import type { JsonSchema } from './route.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const ref = (name: string, pointer = ''): JsonObject => ({ $ref: `#/components/schemas/${name}${pointer}` });

/** `schemas/<rel>` → its component name: `Envelope`, `Common`, …, and `vn.gov.document.sent.v1`. */
export function componentName(rel: string): string {
  const top = /^([a-z][a-z0-9-]*)\.schema\.json$/.exec(rel);
  if (top?.[1]) return top[1].replace(/(^|-)([a-z])/g, (_m, _dash: string, c: string) => c.toUpperCase());
  const message = /^messages\/(.+)\.json$/.exec(rel);
  if (message?.[1]) return message[1];
  throw new Error(`schemas/${rel}: no component name for this file`);
}

const PLAIN_NAME = /^[A-Za-z][\w.-]*$/;

export class Components {
  readonly schemas: Record<string, JsonObject> = {};
  private readonly byId = new Map<string, string>();

  constructor(files: readonly SchemaFile[]) {
    for (const { file, schema } of files) this.byId.set(schema.$id, componentName(file));
    for (const { schema } of files) {
      const name = this.byId.get(schema.$id)!;
      const { $id, $schema: _dialect, ...rest } = schema;
      this.schemas[name] = { $comment: `$id ${$id}`, ...(this.rewrite(rest, $id, name) as JsonObject) };
    }
  }

  /** A route's schema as it stands in the document. */
  use(schema: JsonSchema, owner: string): JsonObject {
    return this.rewrite(schema, SCHEMA_BASE, owner) as JsonObject;
  }

  private rewrite(node: unknown, baseId: string, owner: string): Json {
    if (Array.isArray(node)) return node.map((n) => this.rewrite(n, baseId, owner));
    if (node === null || typeof node !== 'object') return node as Json;
    const { $id, ...rest } = node as Record<string, unknown>;
    if (typeof $id === 'string' && PLAIN_NAME.test($id)) return this.name($id, this.rewrite(rest, baseId, $id) as JsonObject);
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') out[key] = this.target(value, baseId, owner);
      else out[key] = this.rewrite(value, baseId, owner);
    }
    return out;
  }

  private target(reference: string, baseId: string, owner: string): string {
    if (reference.startsWith('#/components/')) return reference;
    const target = new URL(reference, baseId);
    const pointer = target.hash.slice(1); // a JSON Pointer, kept as written (URI-fragment encoded)
    target.hash = '';
    const name = this.byId.get(target.href);
    if (!name || (pointer !== '' && !pointer.startsWith('/'))) throw new Error(`${owner}: $ref "${reference}" is not a schema under schemas/`);
    return `#/components/schemas/${name}${pointer}`;
  }

  private name(name: string, schema: JsonObject): JsonObject {
    const existing = this.schemas[name];
    if (existing && JSON.stringify(existing) !== JSON.stringify(schema)) throw new Error(`two different schemas are named ${name}`);
    this.schemas[name] = schema;
    return ref(name);
  }
}

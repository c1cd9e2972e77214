/**
 * The repository's JSON Schemas as OpenAPI components: every file under `schemas/` (examples
 * skipped) read from disk, `$ref`s rewritten from `$id`-relative references
 * (`../common.schema.json#/$defs/date`) to in-document ones (`#/components/schemas/Common/$defs/date`),
 * `$id`/`$schema` dropped (kept in `$comment`). Throws when a file is not JSON or a `$ref` points
 * outside `schemas/`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const SCHEMAS_DIR = fileURLToPath(new URL('../../schemas/', import.meta.url));
const SCHEMA_BASE = 'https://lgsp-hub.dev/schemas/';
export const ref = (name: string, pointer = ''): JsonObject => ({ $ref: `#/components/schemas/${name}${pointer}` });

/** `schemas/<rel>` → its component name: `Envelope`, `Common`, …, and `vn.gov.document.sent.v1`. */
export function componentName(rel: string): string {
  const top = /^([a-z][a-z0-9-]*)\.schema\.json$/.exec(rel);
  if (top?.[1]) return top[1].replace(/(^|-)([a-z])/g, (_m, _dash: string, c: string) => c.toUpperCase());
  const message = /^messages\/(.+)\.json$/.exec(rel);
  if (message?.[1]) return message[1];
  throw new Error(`schemas/${rel}: no component name for this file`);
}

export interface LoadedSchemas {
  readonly components: Record<string, JsonObject>;
  /** Message type → its versions (component name and `$id`), latest first. */
  readonly messages: ReadonlyMap<string, { name: string; id: string }[]>;
}

export function loadSchemas(dir: string): LoadedSchemas {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.json'))
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .filter((rel) => !rel.split('/').includes('examples'))
    .sort();
  const byId = new Map<string, string>();
  const raw = new Map<string, JsonObject>();
  for (const rel of files) {
    const schema = JSON.parse(readFileSync(join(dir, rel), 'utf8')) as JsonObject;
    const id = typeof schema.$id === 'string' ? schema.$id : SCHEMA_BASE + rel;
    byId.set(id, componentName(rel));
    raw.set(id, schema);
  }
  const components: Record<string, JsonObject> = {};
  const messages = new Map<string, { name: string; id: string }[]>();
  for (const [id, schema] of raw) {
    const name = byId.get(id)!;
    const { $id: _id, $schema: _dialect, ...rest } = schema;
    components[name] = { $comment: `$id ${id}`, ...(rewriteRefs(rest, id, byId, name) as JsonObject) };
    const version = /^(.+)\.v(\d+)$/.exec(name);
    if (version?.[1] && id.startsWith(`${SCHEMA_BASE}messages/`)) messages.set(version[1], [...(messages.get(version[1]) ?? []), { name, id }]);
  }
  const versionOf = (name: string) => Number(/\.v(\d+)$/.exec(name)?.[1]);
  for (const versions of messages.values()) versions.sort((a, b) => versionOf(b.name) - versionOf(a.name));
  return { components, messages };
}

function rewriteRefs(node: Json, baseId: string, byId: ReadonlyMap<string, string>, owner: string): Json {
  if (Array.isArray(node)) return node.map((n) => rewriteRefs(n, baseId, byId, owner));
  if (node === null || typeof node !== 'object') return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string') {
      const target = new URL(value, baseId);
      const pointer = target.hash.slice(1); // a JSON Pointer, kept as written (URI-fragment encoded)
      target.hash = '';
      const name = byId.get(target.href);
      if (!name || (pointer !== '' && !pointer.startsWith('/'))) throw new Error(`${owner}: $ref "${value}" is not a schema under schemas/`);
      out[key] = `#/components/schemas/${name}${pointer}`;
    } else {
      out[key] = rewriteRefs(value, baseId, byId, owner);
    }
  }
  return out;
}

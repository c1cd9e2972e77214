/**
 * A route's request input, read and checked against the route's own schemas (compiled once, when
 * the app is made, by the one ajv instance of `SchemaSet`):
 * - path parameters: decoded by express (a malformed percent-encoding is `malformed-request`, in
 *   `problem-handler.ts`), then checked; a value the schema refuses names no resource: `not-found`;
 * - query parameters: typed from their strings by the schema (integers, numbers, booleans),
 *   defaults applied, then checked: `validation-failed` with `/<name>` paths;
 * - the body: its media type one of the route's (else `unsupported-media-type`), read within the
 *   size limit, parsed as JSON when it is JSON (`malformed-json`), and checked against the schema of
 *   its media type (`validation-failed` with JSON Pointers into it) unless the route names the
 *   domain check that does (`checkedBy`).
 */
import type { Request, RequestHandler, Response } from 'express';
import express from 'express';
import { HubError } from '../contract/problems.ts';
import type { SchemaSet, ValidationIssue } from '../contract/schema-set.ts';
import type { BodySpec, JsonSchema } from './route.ts';
import { propertiesOf } from './route-table.ts';
import { exceedsJsonDepth } from '../contract/json-depth.ts';

type Check = (value: unknown) => ValidationIssue[];

/** A route schema for ajv: component names (`$id: 'Trace'`) are for `/openapi.json` only. */
function compile(schemas: SchemaSet, schema: JsonSchema): Check {
  return schemas.validator(withoutNames(schema) as JsonSchema);
}

function withoutNames(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutNames);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k, v]) => !(k === '$id' && typeof v === 'string' && !v.includes(':')))
      .map(([k, v]) => [k, withoutNames(v)]),
  );
}

export function paramsReader(schemas: SchemaSet, schema: JsonSchema): (params: Record<string, string>, path: string) => unknown {
  const check = compile(schemas, schema);
  return (params, path) => {
    const issues = check(params);
    if (issues.length > 0) throw new HubError('not-found', `Nothing at ${path}: ${issues.map((i) => `${i.path.slice(1)} ${i.message}`).join('; ')}.`);
    return params;
  };
}

export function queryReader(schemas: SchemaSet, schema: JsonSchema): (query: Record<string, unknown>) => unknown {
  const check = compile(schemas, schema);
  const properties = propertiesOf(schema);
  return (raw) => {
    const issues: ValidationIssue[] = [];
    const value: Record<string, unknown> = {};
    for (const [name, given] of Object.entries(raw)) {
      if (typeof given === 'string') value[name] = typed(properties[name]?.type, given);
      else issues.push({ path: `/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`, message: 'give it once' });
    }
    for (const [name, property] of Object.entries(properties)) if (value[name] === undefined && property.default !== undefined) value[name] = property.default;
    issues.push(...check(value).filter((i) => !issues.some((e) => e.path === i.path)));
    if (issues.length > 0) throw new HubError('validation-failed', `${issues.length} problem(s) in the query; see "errors".`, { errors: issues });
    return value;
  };
}

/** A query string as the type its schema declares; left a string (for the schema to refuse) when it is not one. */
function typed(type: unknown, text: string): unknown {
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (type === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

export interface ReadBody {
  /** `onBytes` sees the exact body bytes once read, before anything parses them (a request signature's check). */
  (req: Request, res: Response, onBytes?: (bytes: Buffer) => void): Promise<{ mediaType: string | undefined; value: unknown }>;
}

export interface BodyLimits {
  /** LGSP_MAX_BODY_BYTES, unless the route declares its own. */
  readonly maxBytes: number;
  /** LGSP_MAX_JSON_DEPTH. */
  readonly maxJsonDepth: number;
}

export function bodyReader(schemas: SchemaSet, spec: BodySpec, limits: BodyLimits): ReadBody {
  const read = spec.read ?? 'json';
  const parser: RequestHandler = express.raw({ type: () => true, limit: spec.maxBytes ?? limits.maxBytes });
  const declared = Object.keys(spec.content).map((t) => t.toLowerCase());
  const checks = new Map(
    read === 'json' && !spec.checkedBy ? Object.entries(spec.content).map(([type, schema]) => [type.toLowerCase(), compile(schemas, schema)] as const) : [],
  );
  return async (req, res, onBytes) => {
    const mediaType = req.headers['content-type']?.split(';')[0]!.trim().toLowerCase() || undefined;
    const matched = declared.find((t) => t === '*/*' || t === mediaType || (t.endsWith('/*') && mediaType?.startsWith(t.slice(0, -1))));
    if (!matched)
      throw new HubError(
        'unsupported-media-type',
        `Send the body as ${declared.map((t) => `"${t}"`).join(' or ')} (got ${mediaType ? `"${mediaType}"` : 'no Content-Type'}).`,
      );
    await new Promise<void>((resolve, reject) => parser(req, res, (err?: unknown) => (err ? reject(err as Error) : resolve())));
    const bytes = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    onBytes?.(bytes);
    if (read === 'bytes') return { mediaType, value: bytes };
    if (read === 'text') return { mediaType, value: decodeText(bytes, charsetOf(req.headers['content-type'])) };
    const value = parseJsonBody(bytes, req.headers['content-type'], limits.maxJsonDepth);
    const issues = checks.get(matched)?.(value) ?? [];
    if (issues.length > 0) throw new HubError('validation-failed', `${issues.length} problem(s) in the body; see "errors".`, { errors: issues });
    return { mediaType, value };
  };
}

/**
 * A JSON body as the hub reads every one: no deeper than `maxJsonDepth` (checked before anything
 * parses or recurses: JSON.stringify, ajv and the trace view all recurse), decoded in the charset
 * `contentType` declares, then parsed. Throws `body-too-deep`, `unsupported-media-type` (a charset
 * the hub does not read), `malformed-body` or `malformed-json`.
 */
export function parseJsonBody(bytes: Buffer, contentType: string | undefined, maxJsonDepth: number): unknown {
  if (exceedsJsonDepth(bytes, maxJsonDepth)) {
    throw new HubError('body-too-deep', `The body nests objects and arrays more than ${maxJsonDepth} levels deep (LGSP_MAX_JSON_DEPTH). Flatten the data.`);
  }
  const text = decodeText(bytes, charsetOf(contentType));
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HubError('malformed-json', `The body is not valid JSON: ${(err as Error).message}.`);
  }
}

function charsetOf(contentType: string | undefined): string {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '')?.[1];
  return charset?.toLowerCase() ?? 'utf-8';
}

/**
 * The body as text in its declared charset (UTF-8 when none is declared). Bytes that are not valid
 * in that charset are refused, never replaced with U+FFFD: a replaced character would change the
 * sender's data silently.
 */
function decodeText(bytes: Buffer, charset: string): string {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset, { fatal: true, ignoreBOM: false });
  } catch {
    throw new HubError('unsupported-media-type', `The charset "${charset}" is not one the hub reads; send UTF-8.`);
  }
  try {
    return decoder.decode(bytes);
  } catch {
    const at = charset === 'utf-8' || charset === 'utf8' ? firstInvalidUtf8(bytes) : undefined;
    throw new HubError('malformed-body', `The body is not valid ${charset}${at === undefined ? '' : ` (first bad byte at offset ${at})`}; send it as UTF-8.`);
  }
}

/** Offset of the first byte where `bytes` stops being valid UTF-8 (found by bisecting with the decoder). */
function firstInvalidUtf8(bytes: Buffer): number {
  let lo = 0;
  let hi = bytes.length;
  const valid = (end: number) => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (valid(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

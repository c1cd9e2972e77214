/**
 * The schema set: every JSON Schema under `schemas/` loaded and compiled once, at start, by one
 * ajv instance (2020-12, allErrors, strict, no coercion, no defaults). Validation never compiles:
 * the ingest path calls `validateEnvelope` then `validateData` for each message, the registry
 * calls `validateAgency` and `validateConnector`. Validators return `ValidationIssue`s (JSON
 * Pointer + message), ready for the `errors` list of a problem+json answer; an empty list means
 * valid. Only `load` throws, with `SchemaLoadError`, when a schema file itself is broken.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type AnySchemaObject, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { LgspError } from './errors.ts';
import type { SenderPublicKey } from './sender-signature.ts';

export interface ValidationIssue {
  /** JSON Pointer from the validated root (the event for envelope and data issues). */
  path: string;
  message: string;
}

export type AgencyLevel = 'central' | 'province' | 'district' | 'commune' | 'unit';

/** A directory entry (`schemas/agency.schema.json`). */
export interface AgencyRecord {
  readonly code: string;
  readonly name: string;
  readonly level: AgencyLevel;
  readonly parent?: string;
}

export interface SubscriptionFilter {
  readonly source?: string;
  readonly sourceLevel?: AgencyLevel;
  readonly sourceProvince?: string;
}

export interface Subscription {
  readonly type: string;
  readonly filter?: SubscriptionFilter;
}

export interface DeliverySettings {
  readonly timeoutMs: number;
  /** Durations such as "5s", "1m" (parse with `src/config/duration.ts`). */
  readonly retrySchedule: readonly string[];
  readonly maxInFlight: number;
  readonly breaker: {
    readonly errorThresholdPercentage: number;
    readonly volumeThreshold: number;
    readonly resetTimeoutMs: number;
  };
  readonly mode: 'binary' | 'structured';
  /** The signatures each delivery carries (`connectors/kit/signature.ts`); default both while v1 is deprecated. */
  readonly signatureVersions: readonly ('v1' | 'v2')[];
}

/** A connector manifest (`schemas/connector.schema.json`) with its defaults applied. */
/** The roles a manifest may give its connector (`schemas/connector.schema.json` `roles`). */
export type ConnectorRole = 'one-stop';

export interface ConnectorManifest {
  readonly id: string;
  readonly agency: string;
  readonly kind: string;
  readonly endpoint?: string;
  readonly description?: string;
  readonly auth?: {
    readonly scheme: 'bearer' | 'hmac-sha256';
    readonly clientCertificates?: readonly string[];
    /** Its own public keys: each event it sends must carry a `sendersignature` by one of them (`sender-signature.ts`). */
    readonly publicKeys?: readonly SenderPublicKey[];
  };
  /** The types addressed to its agency it receives: narrows its kind's (`ConnectorKinds.acceptedTypes`); absent: all of them. */
  readonly accepts?: readonly string[];
  /** What the operator vouches the system is, for sending rights (`src/policy/`): `one-stop` sends dossier messages. */
  readonly roles?: readonly ConnectorRole[];
  /** What it receives of unaddressed messages. */
  readonly subscriptions: readonly Subscription[];
  /** Its own token bucket instead of LGSP_RATE_LIMIT / LGSP_RATE_BURST (`src/http/rate-limits.ts`). */
  readonly rateLimit?: { readonly perSecond: number; readonly burst?: number };
  readonly delivery: DeliverySettings;
  readonly settings?: Readonly<Record<string, unknown>>;
}

/** Thrown by `SchemaSet.load` when a schema file cannot be read, parsed, or compiled. */
export class SchemaLoadError extends LgspError<'schema-load-failed'> {
  readonly file: string;

  constructor(file: string, detail: string, options?: { cause?: unknown }) {
    super('schema-load-failed', `Invalid schema ${file}: ${detail}`, { cause: options?.cause });
    this.file = file;
  }
}

/** The `$id` of every file under `schemas/` is this base plus its path there. */
export const SCHEMA_BASE = 'https://lgsp-hub.dev/schemas/';
const BASE = SCHEMA_BASE;
const ENVELOPE_ID = `${BASE}envelope.schema.json`;
const AGENCY_ID = `${BASE}agency.schema.json`;
const CONNECTOR_ID = `${BASE}connector.schema.json`;
const MESSAGE_ID = /^https:\/\/lgsp-hub\.dev\/schemas\/messages\/(.+)\.v(\d+)\.json$/;
const DEFAULT_DIR = fileURLToPath(new URL('../../schemas/', import.meta.url));

/** One file under `schemas/` as read: its path there and its schema (with its `$id`). */
export interface SchemaFile {
  readonly file: string;
  readonly schema: AnySchemaObject & { $id: string };
}

/**
 * Formats of the hub's own, beside ajv-formats' standard ones, for the HTTP routes' schemas;
 * each with the message its failure gives.
 */
const HUB_FORMATS: Readonly<Record<string, { validate: (value: string) => boolean; hint: string }>> = {
  /** ISO 8601: a date, or a date and time (seconds optional) with `Z` or an offset. */
  'date-or-date-time': {
    validate: (value) => /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value) && !Number.isNaN(Date.parse(value)),
    hint: 'must be an ISO 8601 time, e.g. 2025-07-01T00:00:00Z',
  },
};

interface MessageVersion {
  readonly version: number;
  readonly uri: string;
  readonly validate: ValidateFunction;
  readonly statusReport?: StatusReportFields;
  readonly signaturePointer?: string;
}

/**
 * The `x-lgsp-signature` annotation of a message schema: the JSON Pointer, in `data`, of the
 * sender's signature as a kind checked it (`{ status: valid | invalid | absent, signer?, reason? }`).
 * The intake copies it into the `accepted` audit event, so the trace shows it without `data`.
 */
export interface SignatureRecord {
  readonly status: 'valid' | 'invalid' | 'absent';
  readonly signer?: string;
  readonly reason?: string;
}

const SIGNATURE_KEYWORD = 'x-lgsp-signature';
const SIGNATURE_META = { type: 'string', pattern: '^(/[^/]+)+$' };

/**
 * The `x-lgsp-status-report` annotation of a message schema: a message of that type reports its
 * sender's business status of the message its `correlationid` names (an edXML status answering a
 * document), `data[code]` the status code and `data[name]` its name, if given. The type's schema
 * is the one place that says so: the router reads it (`statusReport`), whatever kind carried it.
 */
export interface StatusReportFields {
  readonly code: string;
  readonly name?: string;
}

const STATUS_REPORT_KEYWORD = 'x-lgsp-status-report';
const STATUS_REPORT_META = {
  type: 'object',
  additionalProperties: false,
  required: ['code'],
  properties: { code: { type: 'string', minLength: 1 }, name: { type: 'string', minLength: 1 } },
};

export class SchemaSet {
  readonly messageTypes: readonly string[];
  /** Every schema file as read (do not modify): `/openapi.json` publishes them as components. */
  readonly files: readonly SchemaFile[];
  private readonly ajv: Ajv2020;
  private readonly envelope: ValidateFunction;
  private readonly agency: ValidateFunction;
  private readonly connector: ValidateFunction<ConnectorManifest>;
  /** Per type, its versions, latest first. */
  private readonly messages: ReadonlyMap<string, readonly MessageVersion[]>;

  private constructor(
    files: readonly SchemaFile[],
    ajv: Ajv2020,
    envelope: ValidateFunction,
    agency: ValidateFunction,
    connector: ValidateFunction<ConnectorManifest>,
    messages: ReadonlyMap<string, readonly MessageVersion[]>,
  ) {
    this.files = files;
    this.ajv = ajv;
    this.envelope = envelope;
    this.agency = agency;
    this.connector = connector;
    this.messages = messages;
    this.messageTypes = Object.freeze([...messages.keys()].sort());
  }

  /**
   * Reads every `*.json` under `dir` (default: the repository's `schemas/`, `examples/` folders
   * skipped) and compiles it. Call once at start. Throws `SchemaLoadError` naming the file when
   * a file is not JSON, has no `$id` matching its path, or is not a valid strict schema.
   */
  static async load(dir: string = DEFAULT_DIR): Promise<SchemaSet> {
    const files = await readSchemaFiles(dir);
    const strictAjv = createAjv(false, files);
    const compile = (id: string, ajv: Ajv2020): ValidateFunction => {
      const owner = files.find((f) => f.schema.$id === id)?.file ?? id;
      let validate: ValidateFunction | undefined;
      try {
        validate = ajv.getSchema(id);
      } catch (cause) {
        throw new SchemaLoadError(owner, errorText(cause), { cause });
      }
      if (!validate) throw new SchemaLoadError(owner, `no schema with $id ${id}`);
      return validate;
    };
    const messages = new Map<string, MessageVersion[]>();
    for (const { schema } of files) {
      const validate = compile(schema.$id, strictAjv); // compiles common and every other file too
      const match = MESSAGE_ID.exec(schema.$id);
      if (!match?.[1] || !match[2]) continue;
      const versions = messages.get(match[1]) ?? [];
      const statusReport = schema[STATUS_REPORT_KEYWORD] as StatusReportFields | undefined; // checked by the keyword's meta-schema
      const signaturePointer = schema[SIGNATURE_KEYWORD] as string | undefined; // checked by the keyword's meta-schema
      versions.push({
        version: Number(match[2]),
        uri: schema.$id,
        validate,
        ...(statusReport ? { statusReport } : {}),
        ...(signaturePointer ? { signaturePointer } : {}),
      });
      messages.set(match[1], versions);
    }
    for (const versions of messages.values()) versions.sort((a, b) => b.version - a.version);
    // The connector manifest alone is validated with defaults applied (ajv mutates its input).
    const connector = compile(CONNECTOR_ID, createAjv(true, files));
    return new SchemaSet(
      files,
      strictAjv,
      compile(ENVELOPE_ID, strictAjv),
      compile(AGENCY_ID, strictAjv),
      connector as ValidateFunction<ConnectorManifest>,
      messages,
    );
  }

  /** The `$id`s of every version of `type`, latest first (empty for an unknown type). */
  schemaUris(type: string): readonly string[] {
    return this.messages.get(type)?.map((v) => v.uri) ?? [];
  }

  hasType(type: string): boolean {
    return this.messages.has(type);
  }

  /** The `$id` of the latest version of `type`; throws if the type is unknown (check `hasType`). */
  schemaUri(type: string): string {
    const latest = this.messages.get(type)?.[0];
    if (!latest) throw new Error(`unknown message type "${type}"`);
    return latest.uri;
  }

  /** Where a status report of `type` carries its code and name (`StatusReportFields`); undefined for other types. Latest version. */
  /** The signature record a message of `type` carries in `data` (validated data: trusted shape), if its schema declares one. */
  signatureOf(type: string, data: unknown): SignatureRecord | undefined {
    const pointer = this.messages.get(type)?.[0]?.signaturePointer;
    if (!pointer) return undefined;
    let node: unknown = data;
    for (const key of pointer.slice(1).split('/')) node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
    return typeof node === 'object' && node !== null && typeof (node as { status?: unknown }).status === 'string' ? (node as SignatureRecord) : undefined;
  }

  statusReport(type: string): StatusReportFields | undefined {
    return this.messages.get(type)?.[0]?.statusReport;
  }

  /** Checks the CloudEvents envelope only (`data` must be an object); paths from the event root. */
  validateEnvelope(event: unknown): ValidationIssue[] {
    return run(this.envelope, event, '');
  }

  /**
   * Checks `data` against the schema of `type`: the version named by `dataschema` if given, else
   * the latest. Paths are prefixed with `/data`. An unknown type gives one issue at `/type`, a
   * `dataschema` that is not a version of `type` one issue at `/dataschema` (data not checked).
   */
  validateData(type: string, data: unknown, dataschema?: string): ValidationIssue[] {
    const versions = this.messages.get(type);
    if (!versions) {
      return [{ path: '/type', message: `unknown message type "${type}"; known types: ${this.messageTypes.join(', ')}` }];
    }
    const chosen = dataschema === undefined ? versions[0] : versions.find((v) => v.uri === dataschema);
    if (!chosen) {
      const known = versions.map((v) => v.uri).join(', ');
      return [{ path: '/dataschema', message: `"${dataschema}" is not a schema of ${type}; known: ${known}` }];
    }
    return run(chosen.validate, data, '/data');
  }

  /**
   * Compiles a connector kind's `settings` schema, once, at start (same strict ajv instance).
   * The returned function checks a manifest's `settings`; its issues are at `/settings/...`.
   */
  settingsValidator(schema: Readonly<Record<string, unknown>>): (settings: unknown) => ValidationIssue[] {
    const validate = this.ajv.compile(schema as AnySchemaObject);
    return (settings) => run(validate, settings ?? {}, '/settings');
  }

  /**
   * Compiles one of the HTTP routes' schemas, once, at start (same strict ajv instance, so it may
   * `$ref` the contract's schemas by `$id`). Issues are at `prefix` + the JSON Pointer.
   */
  validator(schema: Readonly<Record<string, unknown>>, prefix = ''): (value: unknown) => ValidationIssue[] {
    const validate = this.ajv.compile(schema as AnySchemaObject);
    return (value) => run(validate, value, prefix);
  }

  /** Checks one agency record (a directory entry, or one element of an import). */
  validateAgency(value: unknown): ValidationIssue[] {
    return run(this.agency, value, '');
  }

  /**
   * Checks a connector manifest without registering it. On success, `manifest` is a frozen copy
   * with defaults applied (`delivery`, `subscriptions`); the input is never modified. Whether
   * `kind` exists and what its `settings` mean is for the connector registry to check.
   */
  validateConnector(value: unknown): { issues: ValidationIssue[]; manifest?: ConnectorManifest } {
    let copy: unknown;
    try {
      copy = structuredClone(value);
    } catch {
      return { issues: [{ path: '', message: 'must be plain JSON data' }] };
    }
    if (this.connector(copy)) return { issues: [], manifest: deepFreeze(copy) };
    return { issues: toIssues(this.connector.errors, '') };
  }
}

function createAjv(useDefaults: boolean, files: readonly SchemaFile[]): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, coerceTypes: false, useDefaults });
  ajvFormats.default(ajv);
  for (const [name, { validate }] of Object.entries(HUB_FORMATS)) ajv.addFormat(name, { type: 'string', validate });
  ajv.addKeyword({ keyword: STATUS_REPORT_KEYWORD, metaSchema: STATUS_REPORT_META });
  ajv.addKeyword({ keyword: SIGNATURE_KEYWORD, metaSchema: SIGNATURE_META });
  for (const { file, schema } of files) {
    try {
      ajv.addSchema(schema);
    } catch (cause) {
      throw new SchemaLoadError(file, errorText(cause), { cause });
    }
  }
  return ajv;
}

async function readSchemaFiles(dir: string): Promise<SchemaFile[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: SchemaFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || !entry.name.endsWith('.json')) continue;
    const path = join(entry.parentPath, entry.name);
    const rel = relative(dir, path).split(sep).join('/');
    if (rel.split('/').includes('examples')) continue;
    let schema: unknown;
    try {
      schema = JSON.parse(await readFile(path, 'utf8'));
    } catch (cause) {
      throw new SchemaLoadError(rel, errorText(cause), { cause });
    }
    if (!isSchemaObject(schema) || schema.$id !== BASE + rel) {
      throw new SchemaLoadError(rel, `$id must be "${BASE + rel}" (the file's place under schemas/)`);
    }
    files.push({ file: rel, schema });
  }
  return files.sort((a, b) => a.file.localeCompare(b.file));
}

function isSchemaObject(value: unknown): value is AnySchemaObject & { $id: string } {
  return typeof value === 'object' && value !== null && typeof (value as { $id?: unknown }).$id === 'string';
}

function run(validate: ValidateFunction, value: unknown, prefix: string): ValidationIssue[] {
  return validate(value) ? [] : toIssues(validate.errors, prefix);
}

/** ajv errors → issues: required / additionalProperties point at the property concerned. */
function toIssues(errors: readonly ErrorObject[] | null | undefined, prefix: string): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const e of errors ?? []) {
    if (e.keyword === 'if') continue; // its then/else errors are reported themselves
    const params = e.params as Record<string, unknown>;
    let path = prefix + e.instancePath;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'required') {
      path += `/${pointerToken(String(params.missingProperty))}`;
      message = e.schemaPath.includes('/oneOf/') ? 'is required by one of the alternatives' : 'is required';
    } else if (e.keyword === 'additionalProperties') {
      path += `/${pointerToken(String(params.additionalProperty))}`;
      message = 'is not an allowed property here';
    } else if (e.keyword === 'enum' && Array.isArray(params.allowedValues)) {
      message = `must be one of: ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    } else if (e.keyword === 'format' && typeof params.format === 'string') {
      message = FORMAT_HINTS[params.format] ?? HUB_FORMATS[params.format]?.hint ?? message;
    } else if (e.keyword === 'false schema') {
      message = 'is not allowed together with the other properties given';
    } else if (e.keyword === 'const') {
      message = `must be ${JSON.stringify(params.allowedValue)}`;
    } else if (e.keyword === 'oneOf') {
      message = Array.isArray(params.passingSchemas)
        ? `must match exactly one alternative, but matches ${params.passingSchemas.length}`
        : 'must match exactly one alternative, but matches none';
    }
    issues.push({ path, message });
  }
  return issues;
}

const FORMAT_HINTS: Readonly<Record<string, string>> = {
  'date-time': 'must be an RFC 3339 date-time with offset, e.g. 2025-07-15T09:30:00+07:00',
  date: 'must be an RFC 3339 date, e.g. 2025-07-15',
  uri: 'must be an absolute URI',
  'uri-reference': 'must be a URI reference',
  email: 'must be an e-mail address',
};

function pointerToken(name: string): string {
  return name.replaceAll('~', '~0').replaceAll('/', '~1');
}

function errorText(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

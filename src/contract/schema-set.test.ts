import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from 'vitest';
import { SchemaLoadError, SchemaSet, type ValidationIssue } from './schema-set.ts';

const SCHEMAS = fileURLToPath(new URL('../../schemas/', import.meta.url));
const MESSAGE_EXAMPLES = join(SCHEMAS, 'messages', 'examples');
const SPEC_TYPES = [
  'vn.gov.document.sent',
  'vn.gov.document.status',
  'vn.gov.document.revoked',
  'vn.gov.document.updated',
  'vn.gov.document.replaced',
  'vn.gov.dossier.status',
  'vn.gov.dossier.transferred',
  'vn.gov.record.synced',
];

const set = await SchemaSet.load();

interface Example {
  readonly file: string;
  readonly valid: boolean;
  readonly body: Record<string, unknown>;
}

function examples(dir: string): Example[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const body: unknown = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      if (!isRecord(body)) throw new Error(`${dir}/${file}: not a JSON object`);
      if (!file.startsWith('valid-') && !file.startsWith('invalid-')) throw new Error(`${file}: name must start with valid- or invalid-`);
      return { file, valid: file.startsWith('valid-'), body };
    });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What ingest does: the envelope, then data against its type (and dataschema, if any). */
function validateEvent(event: unknown): ValidationIssue[] {
  const issues = set.validateEnvelope(event);
  if (isRecord(event) && typeof event.type === 'string' && set.hasType(event.type)) {
    const dataschema = typeof event.dataschema === 'string' ? event.dataschema : undefined;
    issues.push(...set.validateData(event.type, event.data, dataschema));
  }
  return issues;
}

function expectInvalid(example: Example, validate: (value: unknown) => ValidationIssue[], key: 'event' | 'value'): void {
  const { why, expectPath } = example.body;
  expect(typeof why, `${example.file}: "why"`).toBe('string');
  expect(typeof expectPath, `${example.file}: "expectPath"`).toBe('string');
  const issues = validate(example.body[key]);
  expect(issues.length, `${example.file} should fail: ${String(why)}`).toBeGreaterThan(0);
  expect(
    issues.map((i) => i.path),
    `${example.file}: ${String(why)}`,
  ).toContain(expectPath);
}

describe('SchemaSet.load', () => {
  it('knows every message type of SPEC §2, each with its latest schema $id', () => {
    expect([...set.messageTypes].sort()).toEqual([...SPEC_TYPES].sort());
    for (const type of SPEC_TYPES) {
      expect(set.hasType(type)).toBe(true);
      expect(set.schemaUri(type)).toBe(`https://lgsp-hub.dev/schemas/messages/${type}.v1.json`);
    }
    expect(set.hasType('vn.gov.document.unknown')).toBe(false);
    expect(() => set.schemaUri('vn.gov.document.unknown')).toThrow(/unknown message type/);
  });

  it('names the file when a schema is broken', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lgsp-schemas-'));
    try {
      const broken = { $id: 'https://lgsp-hub.dev/schemas/broken.schema.json', type: 'objekt' };
      writeFileSync(join(dir, 'broken.schema.json'), JSON.stringify(broken));
      const err = await SchemaSet.load(dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SchemaLoadError);
      expect(err).toMatchObject({ file: 'broken.schema.json', code: 'schema-load-failed' });
      writeFileSync(join(dir, 'broken.schema.json'), JSON.stringify({ ...broken, $id: 'https://example.org/x.json', type: 'object' }));
      await expect(SchemaSet.load(dir)).rejects.toThrow(/broken\.schema\.json: \$id must be/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('message examples', () => {
  for (const type of set.messageTypes) {
    describe(type, () => {
      const version = set.schemaUri(type).match(/\.(v\d+)\.json$/)?.[1] ?? 'v?';
      const dir = join(MESSAGE_EXAMPLES, `${type}.${version}`);
      const all = readdirSync(MESSAGE_EXAMPLES).includes(`${type}.${version}`) ? examples(dir) : [];

      it('has at least one valid and two invalid examples', () => {
        expect(all.filter((e) => e.valid).length, `${dir}: valid-*.json`).toBeGreaterThanOrEqual(1);
        expect(all.filter((e) => !e.valid).length, `${dir}: invalid-*.json`).toBeGreaterThanOrEqual(2);
      });

      for (const example of all) {
        it(example.file, () => {
          if (!example.valid) return expectInvalid(example, validateEvent, 'event');
          expect(example.body.type).toBe(type);
          expect(validateEvent(example.body)).toEqual([]);
        });
      }
    });
  }

  it('every examples folder belongs to a known type', () => {
    for (const folder of readdirSync(MESSAGE_EXAMPLES)) {
      expect(set.hasType(folder.replace(/\.v\d+$/, '')), folder).toBe(true);
    }
  });

  it('inline attachments in valid examples have the declared size and sha256', () => {
    let checked = 0;
    for (const folder of readdirSync(MESSAGE_EXAMPLES)) {
      for (const { body } of examples(join(MESSAGE_EXAMPLES, folder)).filter((e) => e.valid)) {
        const data = isRecord(body.data) ? body.data : {};
        const files = [data.attachments, data.documents].flatMap((list) => (Array.isArray(list) ? list : []));
        for (const file of files.filter(isRecord)) {
          if (typeof file.contentBase64 !== 'string') continue;
          const bytes = Buffer.from(file.contentBase64, 'base64');
          expect(bytes.length).toBe(file.size);
          expect(createHash('sha256').update(bytes).digest('hex')).toBe(file.sha256);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});

describe('validateData', () => {
  const data = { register: 'r', key: 'k', version: 0, operation: 'delete' };
  const uri = 'https://lgsp-hub.dev/schemas/messages/vn.gov.record.synced.v1.json';

  it('accepts the $id of a known version as dataschema', () => {
    expect(set.validateData('vn.gov.record.synced', data, uri)).toEqual([]);
  });

  it('reports an unknown dataschema once, at /dataschema', () => {
    for (const other of [uri.replace('.v1.', '.v9.'), set.schemaUri('vn.gov.dossier.status')]) {
      const issues = set.validateData('vn.gov.record.synced', data, other);
      expect(issues).toHaveLength(1);
      expect(issues[0]?.path).toBe('/dataschema');
    }
  });

  it('reports an unknown type at /type', () => {
    expect(set.validateData('vn.gov.nothing.here', data).map((i) => i.path)).toEqual(['/type']);
  });

  it('reports JSON Pointers under /data, naming missing and extra properties', () => {
    const issues = set.validateData('vn.gov.record.synced', { 'a/b~c': 1, key: 'k', version: 1.5, operation: 'upsert' });
    const paths = issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['/data/register', '/data/record', '/data/a~1b~0c', '/data/version']));
    for (const { path, message } of issues) {
      expect(path).toMatch(/^(\/([^~/]|~[01])*)+$/);
      expect(message.length).toBeGreaterThan(0);
    }
  });

  it('lists the allowed values of an enum in the message', () => {
    const issues = set.validateData('vn.gov.record.synced', { ...data, operation: 'insert', record: {} });
    expect(issues).toContainEqual({ path: '/data/operation', message: 'must be one of: "upsert", "delete"' });
  });
});

describe('validateEnvelope', () => {
  it('requires subject and an object data, and refuses unknown extensions', () => {
    const paths = set
      .validateEnvelope({ specversion: '1.0', id: '1', source: 'urn:lgsp:agency:000.00.00.H49', type: 'vn.gov.x.y', data: 'x', foo: 1 })
      .map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['/subject', '/data', '/foo']));
  });

  it('accepts agency codes and selectors in `to`, comma-separated without spaces', () => {
    const event = { specversion: '1.0', id: '1', source: 'urn:lgsp:agency:000.00.00.H49', type: 'vn.gov.x.y', subject: 's', data: {} };
    expect(set.validateEnvelope({ ...event, to: '000.00.15.H49,parent,children,subtree,national' })).toEqual([]);
    for (const to of ['', 'parent,', 'parent, children', 'province', '000.00.15.H4']) {
      expect(
        set.validateEnvelope({ ...event, to }).map((i) => i.path),
        to,
      ).toEqual(['/to']);
    }
  });
});

describe('agency examples', () => {
  for (const example of examples(join(SCHEMAS, 'examples', 'agency'))) {
    it(example.file, () => {
      if (example.valid) expect(set.validateAgency(example.body)).toEqual([]);
      else expectInvalid(example, (v) => set.validateAgency(v), 'value');
    });
  }
});

describe('connector examples', () => {
  for (const example of examples(join(SCHEMAS, 'examples', 'connector'))) {
    it(example.file, () => {
      if (!example.valid) return expectInvalid(example, (v) => set.validateConnector(v).issues, 'value');
      const { issues, manifest } = set.validateConnector(example.body);
      expect(issues).toEqual([]);
      expect(manifest?.id).toBe(example.body.id);
    });
  }

  it('applies defaults to a frozen copy, leaving the input untouched', () => {
    const input = { id: 'qn-x', agency: '000.00.00.H49', kind: 'webhook', delivery: { timeoutMs: 2000 } };
    const { issues, manifest } = set.validateConnector(input);
    expect(issues).toEqual([]);
    expect(input).toEqual({ id: 'qn-x', agency: '000.00.00.H49', kind: 'webhook', delivery: { timeoutMs: 2000 } });
    expect(manifest?.subscriptions).toEqual([]);
    expect(manifest?.delivery).toEqual({
      timeoutMs: 2000,
      retrySchedule: ['5s', '1m', '10m'],
      maxInFlight: 10,
      breaker: { errorThresholdPercentage: 50, volumeThreshold: 5, resetTimeoutMs: 30000 },
      mode: 'binary',
      signatureVersions: ['v1', 'v2'],
    });
    expect(Object.isFrozen(manifest?.delivery.breaker)).toBe(true);
  });

  it('does not apply defaults to an invalid manifest', () => {
    const result = set.validateConnector({ id: 'x', agency: '000.00.00.H49', kind: 'webhook' });
    expect(result.manifest).toBeUndefined();
    expect(result.issues.map((i) => i.path)).toEqual(['/id']);
  });
});

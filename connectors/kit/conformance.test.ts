/**
 * The conformance kit against every registered kind that delivers (STYLE practice 9): the shared
 * suite (`conformance-suite.ts`) reads each kind's simulator, natural types and conformance profile
 * from the kind itself, so a new kind is covered by its registration line alone. Then the kit's own
 * edges. Real sockets, no mocks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorManifest } from '../../src/contract/schema-set.ts';
import { SchemaSet } from '../../src/contract/schema-set.ts';
import { ADAPTERS } from '../index.ts';
import { conformanceSuite } from './conformance-suite.ts';
import { loadExamples, runConformance, type ExampleSet } from './conformance.ts';

conformanceSuite(ADAPTERS);

describe('conformance kit edges', () => {
  let schemas: SchemaSet;
  let examples: ExampleSet;
  beforeAll(async () => {
    schemas = await SchemaSet.load();
    examples = await loadExamples();
  });

  it('a kind that only polls is one skipped check', async () => {
    const manifest = { id: 'x', agency: '000.00.15.H49', kind: 'poll-only' } as unknown as ConnectorManifest;
    const report = await runConformance({ manifest, schemas, examples });
    expect(report).toMatchObject({ passed: true, checks: [{ name: 'deliveries', skipped: true }] });
  });

  it('every registered kind has its own name', () => {
    const kinds = ADAPTERS.map((a) => a.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
  });
});

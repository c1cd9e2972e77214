/**
 * The shared conformance suite (STYLE practice 9), as vitest blocks over any list of kinds: each
 * kind that delivers starts its simulator (its `simulator` fact) on 127.0.0.1 and passes every
 * check of the kit for its natural types; fails, naming the check, when the simulator misbehaves;
 * and fails `golden/<type>` with an encode refusal for each gap its `conformance` profile declares.
 * Real sockets, no mocks. Call it at the top level of a test file: `conformance.test.ts` runs it
 * over the registered kinds, `guide-example/guide-example.test.ts` over the guide's kind.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SchemaSet, type ConnectorManifest } from '../../src/contract/schema-set.ts';
import type { ConnectorAdapter } from './adapter.ts';
import { conformanceSender, formatReport, loadExamples, runConformance, type ConformanceReport, type ExampleSet } from './conformance.ts';
import { naturalTypesOf, typeMatches, type ConformanceTarget } from './kind-facts.ts';
import { signingKeyOf } from './signature.ts';

/** The connector token the suite's connectors have: senders sign with `signingKeyOf` it, simulators verify so. */
export const SUITE_TOKEN = 'qn-conformance.0123456789abcdef';

export const failedChecks = (report: ConformanceReport): string[] => report.checks.filter((c) => !c.passed).map((c) => c.name);

/** The manifest of a connector of `adapter`'s kind at `system`, subscribed to `types` (validated as the registry would). */
export function suiteManifest(schemas: SchemaSet, adapter: ConnectorAdapter, system: ConformanceTarget, types: readonly string[]): ConnectorManifest {
  const { manifest, issues } = schemas.validateConnector({
    id: `qn-${adapter.kind}-conformance`,
    agency: '000.00.15.H49',
    kind: adapter.kind,
    ...(system.endpoint ? { endpoint: system.endpoint } : {}),
    subscriptions: types.map((type) => ({ type })),
    delivery: { timeoutMs: 3000 },
    ...(system.settings ? { settings: system.settings } : {}),
  });
  expect(issues).toEqual([]);
  return manifest!;
}

/** Declares the suite for `adapters` (the kinds that only poll are passed over). */
export function conformanceSuite(adapters: readonly ConnectorAdapter[]): void {
  const delivering = adapters.filter((a) => a.createSender);
  let schemas: SchemaSet;
  let examples: ExampleSet;
  beforeAll(async () => {
    schemas = await SchemaSet.load();
    examples = await loadExamples();
  });

  it.each(delivering)('kind $kind, which delivers, declares a simulator and a conformance profile', (adapter) => {
    expect(adapter.simulator, `${adapter.kind}: no simulator fact`).toBeTypeOf('function');
    expect(adapter.conformance, `${adapter.kind}: no conformance fact`).toBeTypeOf('object');
  });

  describe.each(delivering.filter((a) => a.simulator && a.conformance))('conformance of the $kind simulator', (adapter) => {
    const gaps = Object.keys(adapter.conformance?.gaps ?? {});
    let system: ConformanceTarget;
    /** The natural types the kind can deliver: what its connector subscribes to here. */
    let types: string[];
    const run = async (subscribed: readonly string[] = types) => {
      const manifest = suiteManifest(schemas, adapter, system, subscribed);
      const sender = conformanceSender(adapter, manifest, { token: SUITE_TOKEN })!;
      try {
        return await runConformance({ manifest, sender, schemas, examples, adapter });
      } finally {
        await sender.close();
      }
    };

    beforeEach(async () => {
      system = await adapter.simulator!({ signingKey: signingKeyOf(SUITE_TOKEN), schemas });
      types = naturalTypesOf(adapter, schemas.messageTypes).filter((t) => !gaps.includes(t));
    });
    afterEach(async () => system.close());

    it('declares natural types the schema set knows, and gaps among them', () => {
      for (const pattern of adapter.naturalTypes ?? [])
        expect(
          schemas.messageTypes.some((t) => typeMatches(pattern, t)),
          `${pattern} matches no message type`,
        ).toBe(true);
      expect(types).not.toEqual([]);
      for (const gap of gaps) expect(naturalTypesOf(adapter, schemas.messageTypes)).toContain(gap);
    });

    it('passes every check, with a golden check per natural type', async () => {
      system.misbehave({});
      const report = await run();
      expect(report.passed, formatReport(report)).toBe(true);
      expect(report.checks.map((c) => c.name)).toEqual([...types.map((t) => `golden/${t}`), 'duplicate', 'out-of-order', 'poison', 'timeout-budget']);
      expect(report.checks.filter((c) => c.skipped)).toEqual([]);
    });

    it('fails "poison", with the reason, when the system accepts invalid data', async () => {
      system.misbehave({ acceptPoison: true });
      const report = await run();
      expect(failedChecks(report), formatReport(report)).toEqual(['poison']);
      expect(report.checks.find((c) => c.name === 'poison')?.reason).toMatch(/accepted invalid data/);
    });

    it('fails "duplicate", with the reason, when the system errors on a repeated delivery', async () => {
      system.misbehave({ failDuplicates: true });
      const report = await run();
      expect(failedChecks(report), formatReport(report)).toEqual(['duplicate']);
      expect(report.passed).toBe(false);
    });

    it('without subscriptions, checks the natural types and says so; only the declared gaps fail', async () => {
      const report = await run([]);
      const natural = naturalTypesOf(adapter, schemas.messageTypes);
      expect(report.notes).toEqual([`no subscriptions: checking the types kind ${adapter.kind} carries (${natural.join(', ')})`]);
      expect(failedChecks(report), formatReport(report)).toEqual(gaps.map((t) => `golden/${t}`));
    });

    if (gaps.length > 0) {
      it.each(gaps)('declared gap %s still fails its golden check with an encode refusal', async (gap) => {
        const report = await run([gap]);
        const golden = report.checks.find((c) => c.name === `golden/${gap}`);
        expect(golden?.passed, formatReport(report)).toBe(false);
        expect(golden?.reason).toMatch(new RegExp(`cannot encode it for ${adapter.kind} \\(adapter-encode-failed`));
      });
    }
  });
}

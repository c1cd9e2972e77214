/**
 * The conformance kit against every connector kind that delivers (STYLE practice 9): each kind's
 * simulator on 127.0.0.1 passes every check, and fails, naming the check, when told to misbehave.
 * Real sockets, no mocks.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectorManifest } from '../../src/contract/schema-set.ts';
import { SchemaSet } from '../../src/contract/schema-set.ts';
import { startPortalSimulator } from '../dvcqg/simulator.ts';
import { startEofficeSimulator } from '../edxml/simulator.ts';
import { ADAPTERS } from '../index.ts';
import { startAxisSimulator } from '../vdxp/simulator.ts';
import { startWebhookSimulator } from '../webhook/simulator.ts';
import { conformanceSender, formatReport, loadExamples, runConformance, type ConformanceReport, type ExampleSet } from './conformance.ts';
import { signingKeyOf } from './signature.ts';

const TOKEN = 'qn-conformance.0123456789abcdef';
const DOCUMENT_TYPES = ['vn.gov.document.status', 'vn.gov.document.revoked', 'vn.gov.document.updated', 'vn.gov.document.replaced'];

interface Misbehaviour {
  acceptPoison?: boolean;
  failDuplicates?: boolean;
}

/** A started simulator as the suite needs it: where to deliver, how to misbehave, how to stop. */
interface Target {
  readonly endpoint?: string;
  readonly settings?: Record<string, unknown>;
  misbehave(modes: Misbehaviour): void;
  close(): Promise<void>;
}

/** Per kind: the types its connector subscribes to, and its simulator. */
const KINDS: Record<string, { types: (all: readonly string[]) => string[]; start: (schemas: SchemaSet) => Promise<Target> }> = {
  webhook: {
    types: (all) => [...all],
    start: async (schemas) => {
      const sim = await startWebhookSimulator({ signingKey: signingKeyOf(TOKEN), schemas });
      return { endpoint: sim.endpoint, misbehave: (m) => sim.misbehave(m), close: () => sim.close() };
    },
  },
  edxml: {
    types: () => DOCUMENT_TYPES,
    start: async (schemas) => {
      const sim = await startEofficeSimulator({ schemas });
      return { endpoint: sim.endpoint, misbehave: (m) => sim.misbehave(m), close: () => sim.close() };
    },
  },
  dvcqg: {
    types: () => ['vn.gov.dossier.status'],
    start: async () => {
      const sim = await startPortalSimulator();
      const settings = { adapterUrl: sim.url, username: 'lgsp', password: 'secret', dstcode: 'H49', madonvi: '000.00.00.H49' };
      return { settings, misbehave: (m) => sim.misbehave(m), close: () => sim.close() };
    },
  },
  vdxp: {
    types: () => DOCUMENT_TYPES,
    start: async (schemas) => {
      const sim = await startAxisSimulator({ schemas });
      return { settings: { baseUrl: sim.url, systemId: 'lgsp-h49', secret: 'secret' }, misbehave: (m) => sim.misbehave(m), close: () => sim.close() };
    },
  },
};

let schemas: SchemaSet;
let examples: ExampleSet;
beforeAll(async () => {
  schemas = await SchemaSet.load();
  examples = await loadExamples();
});

function manifestFor(kind: string, target: Target, types: readonly string[]): ConnectorManifest {
  const { manifest, issues } = schemas.validateConnector({
    id: `qn-${kind}-conformance`,
    agency: '000.00.15.H49',
    kind,
    ...(target.endpoint ? { endpoint: target.endpoint } : {}),
    subscriptions: types.map((type) => ({ type })),
    delivery: { timeoutMs: 3000 },
    ...(target.settings ? { settings: target.settings } : {}),
  });
  expect(issues).toEqual([]);
  return manifest!;
}

const failedChecks = (report: ConformanceReport) => report.checks.filter((c) => !c.passed).map((c) => c.name);

it('every kind that delivers has a simulator in this suite', () => {
  expect(ADAPTERS.filter((a) => a.createSender).map((a) => a.kind).sort()).toEqual(Object.keys(KINDS).sort());
});

describe.each(ADAPTERS.filter((a) => a.createSender && KINDS[a.kind]))('conformance of the $kind simulator', (adapter) => {
  const kind = KINDS[adapter.kind]!;
  let target: Target;
  let manifest: ConnectorManifest;
  const run = async (types?: readonly string[]) => {
    const m = types ? manifestFor(adapter.kind, target, types) : manifest;
    const sender = conformanceSender(adapter, m, { token: TOKEN })!;
    try {
      return await runConformance({ manifest: m, sender, schemas, examples });
    } finally {
      await sender.close();
    }
  };

  beforeEach(async () => {
    target = await kind.start(schemas);
    manifest = manifestFor(adapter.kind, target, kind.types(schemas.messageTypes));
  });
  afterEach(async () => target.close());

  it('passes every check, with a golden check per subscribed type', async () => {
    target.misbehave({});
    const report = await run();
    expect(report.passed, formatReport(report)).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual([
      ...kind.types(schemas.messageTypes).map((t) => `golden/${t}`),
      'duplicate',
      'out-of-order',
      'poison',
      'timeout-budget',
    ]);
    expect(report.checks.filter((c) => c.skipped)).toEqual([]);
  });

  it('fails "poison", with the reason, when the system accepts invalid data', async () => {
    target.misbehave({ acceptPoison: true });
    const report = await run();
    expect(failedChecks(report), formatReport(report)).toEqual(['poison']);
    expect(report.checks.find((c) => c.name === 'poison')?.reason).toMatch(/accepted invalid data/);
  });

  it('fails "duplicate", with the reason, when the system errors on a repeated delivery', async () => {
    target.misbehave({ failDuplicates: true });
    const report = await run();
    expect(failedChecks(report)).toEqual(['duplicate']);
    expect(report.passed).toBe(false);
  });
});

describe('conformance kit edges', () => {
  it('a kind that only polls is one skipped check', async () => {
    const manifest = { id: 'x', agency: '000.00.15.H49', kind: 'poll-only' } as unknown as ConnectorManifest;
    const report = await runConformance({ manifest, schemas, examples });
    expect(report).toMatchObject({ passed: true, checks: [{ name: 'deliveries', skipped: true }] });
  });

  it('a golden message the kind cannot encode fails its check with the adapter\'s message (edxml: href attachments)', async () => {
    const target = await KINDS.edxml!.start(schemas);
    try {
      const adapter = ADAPTERS.find((a) => a.kind === 'edxml')!;
      const manifest = manifestFor('edxml', target, ['vn.gov.document.sent']);
      const sender = conformanceSender(adapter, manifest, { token: TOKEN })!;
      const report = await runConformance({ manifest, sender, schemas, examples }).finally(() => sender.close());
      expect(failedChecks(report)).toEqual(['golden/vn.gov.document.sent']);
      expect(report.checks[0]?.reason).toMatch(/cannot encode it for edxml \(ADAPTER_ENCODE_FAILED at \/data\/attachments\/\d+\/href/);
    } finally {
      await target.close();
    }
  });

  it('without subscriptions, checks the kind\'s natural types and says so', async () => {
    const target = await KINDS.dvcqg!.start(schemas);
    try {
      const adapter = ADAPTERS.find((a) => a.kind === 'dvcqg')!;
      const manifest = manifestFor('dvcqg', target, []);
      const sender = conformanceSender(adapter, manifest)!;
      const report = await runConformance({ manifest, sender, schemas, examples }).finally(() => sender.close());
      expect(report.notes[0]).toMatch(/no subscriptions: checking the types kind dvcqg carries \(vn\.gov\.dossier\.status\)/);
      expect(report.passed, formatReport(report)).toBe(true);
    } finally {
      await target.close();
    }
  });
});

/**
 * The conformance kit: what an integrator runs against their registered connector's endpoint before
 * going live (`npm run conformance`, `src/cli/conformance.ts`; docs/conformance.md). It sends the
 * golden messages of each checked type, a duplicate, an out-of-order pair and poison messages
 * through the connector kind's own `Sender`, and reports pass/fail per check with the reason. The
 * checks themselves are the `CHECKS` table of `conformance-checks.ts`.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import type { CloudEvent } from '../../src/contract/cloud-event.ts';
import type { ConnectorManifest, SchemaSet } from '../../src/contract/schema-set.ts';
import { AdapterError, type ConnectorAdapter, type Sender } from './adapter.ts';
import { CHECKS, type CheckContext, type Example, type ExampleSet, type Sent, type Timing, type Verdict } from './conformance-checks.ts';
import { signingKeyOf } from './signature.ts';
import { openSender } from './kind-context.ts';
import { naturalTypesOf } from './kind-facts.ts';
import { ADAPTERS } from '../index.ts';

export type { Example, ExampleSet } from './conformance-checks.ts';

export interface CheckResult {
  readonly name: string;
  /** True for a pass and for a skip. */
  readonly passed: boolean;
  readonly skipped?: boolean;
  readonly reason: string;
  readonly durationMs: number;
}

export interface ConformanceReport {
  readonly connector: string;
  readonly kind: string;
  /** What the reader should know about how the run was set up (e.g. no subscriptions). */
  readonly notes: readonly string[];
  readonly checks: readonly CheckResult[];
  /** Every check passed or was skipped. */
  readonly passed: boolean;
}

export interface ConformanceOptions {
  readonly manifest: ConnectorManifest;
  /** The kind's sender for this connector; absent for kinds that only poll (one skipped check). */
  readonly sender?: Sender;
  readonly schemas: SchemaSet;
  /** Default: `loadExamples()` (the repository's `schemas/messages/examples`). */
  readonly examples?: ExampleSet;
  /** The kind of `manifest` (its facts: natural types); default: the registered kind of that name. */
  readonly adapter?: ConnectorAdapter;
}

const EXAMPLES_DIR = fileURLToPath(new URL('../../schemas/messages/examples/', import.meta.url));

/**
 * Runs every check against the connector's endpoint, in `CHECKS` order, one delivery at a time.
 * Never rejects for the endpoint's trouble (that is a failed check); rejects only when the
 * examples cannot be read. The caller owns `sender` (close it after).
 */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const { manifest, sender, schemas } = options;
  const notes: string[] = [];
  if (!sender) {
    const reason = `kind ${manifest.kind} only polls: the hub delivers nothing to an endpoint of this connector`;
    return {
      connector: manifest.id,
      kind: manifest.kind,
      notes,
      checks: [{ name: 'deliveries', passed: true, skipped: true, reason, durationMs: 0 }],
      passed: true,
    };
  }
  const examples = options.examples ?? (await loadExamples());
  let types = [...new Set(manifest.subscriptions.map((s) => s.type))];
  if (types.length === 0) {
    const adapter = options.adapter ?? ADAPTERS.find((a) => a.kind === manifest.kind);
    types = adapter ? naturalTypesOf(adapter, schemas.messageTypes) : [...schemas.messageTypes];
    notes.push(`no subscriptions: checking the types kind ${manifest.kind} carries (${types.join(', ')})`);
  }
  const timings: Timing[] = [];
  const checks: CheckResult[] = [];
  const base = { manifest, sender, schemas, examples, types, timings };
  for (const check of CHECKS) {
    for (const c of check.cases(types)) {
      const ctx: CheckContext = { ...base, send: (event, opts) => timedSend(sender, event, c.name, timings, opts) };
      const started = performance.now();
      let verdict: Verdict;
      try {
        verdict = await c.run(ctx);
      } catch (err) {
        verdict = { passed: false, reason: `the check itself failed: ${(err as Error).message}` };
      }
      checks.push({ name: c.name, ...verdict, durationMs: Math.round(performance.now() - started) });
    }
  }
  return { connector: manifest.id, kind: manifest.kind, notes, checks, passed: checks.every((c) => c.passed) };
}

async function timedSend(sender: Sender, event: CloudEvent, check: string, timings: Timing[], opts: { hubId?: string; attempt?: number } = {}): Promise<Sent> {
  const started = performance.now();
  try {
    const answered = await sender.deliver({ event, hubId: opts.hubId ?? randomUUID(), attempt: opts.attempt ?? 1 });
    const ms = Math.round(performance.now() - started);
    timings.push({ check, ms, outcome: answered });
    return { answered, ms };
  } catch (err) {
    if (err instanceof AdapterError) return { notEncoded: err };
    throw err;
  }
}

/**
 * Reads `<dir>/<type>.v<N>/{valid,invalid}-*.json` (valid files are events, invalid ones
 * `{ why, expectPath, event }`). Rejects when a file is not JSON or not shaped so.
 */
export async function loadExamples(dir: string = EXAMPLES_DIR): Promise<ExampleSet> {
  const valid = new Map<string, Example[]>();
  const invalid = new Map<string, Example[]>();
  for (const folder of (await readdir(dir)).sort()) {
    const type = /^(.+)\.v\d+$/.exec(folder)?.[1];
    if (!type) continue;
    for (const name of (await readdir(join(dir, folder))).sort()) {
      const kind = name.startsWith('valid-') ? valid : name.startsWith('invalid-') ? invalid : undefined;
      if (!kind || !name.endsWith('.json')) continue;
      const parsed: unknown = JSON.parse(await readFile(join(dir, folder, name), 'utf8'));
      const event = kind === valid ? parsed : (parsed as { event?: unknown } | null)?.event;
      if (!isEventLike(event)) throw new Error(`${folder}/${name}: not an example event`);
      kind.set(type, [...(kind.get(type) ?? []), { name, event }]);
    }
  }
  return { valid, invalid };
}

function isEventLike(value: unknown): value is CloudEvent {
  const v = value as Partial<Record<keyof CloudEvent, unknown>> | null;
  return typeof v === 'object' && v !== null && typeof v.type === 'string' && typeof v.id === 'string' && typeof v.data === 'object' && v.data !== null;
}

/**
 * The sender the hub would use for `manifest`, or undefined for a kind that only polls, opened as
 * the hub opens it (`openSender`: settings parsed against the kind's spec, its own transport):
 * `settings` (the secret ones a registry read-back hides) merged over the manifest's, and the
 * signing key derived from the connector `token` as the hub derives it. Throws the kit's or the
 * kind's error when something it needs is missing (an endpoint, a setting, the token): say so to
 * the integrator.
 */
export function conformanceSender(
  adapter: ConnectorAdapter,
  manifest: ConnectorManifest,
  options: { token?: string; settings?: Readonly<Record<string, unknown>> } = {},
): Sender | undefined {
  const settings = { ...manifest.settings, ...options.settings };
  return openSender(adapter, { ...manifest, settings }, { signingKey: options.token ? signingKeyOf(options.token) : '' });
}

/** The report as a table (check, PASS/FAIL/SKIP, reason) and a summary line. */
export function formatReport(report: ConformanceReport): string {
  const status = (c: CheckResult) => (c.skipped ? 'SKIP' : c.passed ? 'PASS' : 'FAIL');
  const width = Math.max(5, ...report.checks.map((c) => c.name.length));
  const lines = [`Conformance of connector ${report.connector} (kind ${report.kind})`, ...report.notes.map((n) => `note: ${n}`), ''];
  lines.push(`${'check'.padEnd(width)}  result  reason`);
  for (const c of report.checks) lines.push(`${c.name.padEnd(width)}  ${status(c).padEnd(6)}  ${c.reason} [${c.durationMs} ms]`);
  const failed = report.checks.filter((c) => !c.passed);
  const skipped = report.checks.filter((c) => c.skipped).length;
  lines.push('');
  lines.push(
    failed.length === 0
      ? `PASSED: ${report.checks.length - skipped} check(s) passed${skipped ? `, ${skipped} skipped` : ''}.`
      : `FAILED: ${failed.length} of ${report.checks.length} check(s) failed: ${failed.map((c) => c.name).join(', ')}.`,
  );
  return lines.join('\n');
}

/**
 * The checks of the conformance kit (`conformance.ts` runs them), one entry each in `CHECKS`, in
 * the order they run: a new check is one more entry. Every check sends through the connector kind's
 * own `Sender` (the hub's encoding, signature and `Idempotency-Key`), so what the endpoint sees is
 * exactly what the hub would deliver; each answer is timed for `timeout-budget`.
 *
 * A check never throws: the endpoint's trouble is a failed verdict with the reason. An event the
 * kind cannot encode (`AdapterError`) never reaches the endpoint: that fails a golden check (the
 * hub would dead-letter such messages at the encode stage) and is passed over by the poison check.
 */
import { randomUUID } from 'node:crypto';
import type { CloudEvent } from '../../src/contract/cloud-event.ts';
import type { ConnectorManifest, SchemaSet } from '../../src/contract/schema-set.ts';
import type { AdapterError, DeliveryOutcome, Sender } from './adapter.ts';

/** One example message: a file of `schemas/messages/examples/<type>.v<N>/`. */
export interface Example {
  /** The file name, e.g. `valid-da-tiep-nhan.json`. */
  readonly name: string;
  readonly event: CloudEvent;
}

/** The golden messages (`valid-*`) and counter-examples (`invalid-*`), by message type. */
export interface ExampleSet {
  readonly valid: ReadonlyMap<string, readonly Example[]>;
  readonly invalid: ReadonlyMap<string, readonly Example[]>;
}

export interface Verdict {
  readonly passed: boolean;
  readonly reason: string;
  /** Nothing could be checked (the reason says why); does not fail the report. */
  readonly skipped?: boolean;
}

/** One delivery as a check made it: the outcome, or the kind's refusal to encode the event. */
export type Sent = { readonly answered: DeliveryOutcome; readonly ms: number } | { readonly notEncoded: AdapterError };

/** One answer's time, kept for `timeout-budget`. */
export interface Timing {
  readonly check: string;
  readonly ms: number;
  readonly outcome: DeliveryOutcome;
}

export interface CheckContext {
  readonly manifest: ConnectorManifest;
  readonly sender: Sender;
  readonly schemas: SchemaSet;
  readonly examples: ExampleSet;
  /** The types checked: the subscriptions, or the kind's natural set. */
  readonly types: readonly string[];
  /** Every answer so far, in order. */
  readonly timings: readonly Timing[];
  /** Delivers through the sender, timed; `hubId` fresh unless given (a duplicate reuses one). */
  send(event: CloudEvent, options?: { hubId?: string; attempt?: number }): Promise<Sent>;
}

/** One named case of a check: golden has one per type, the others one each. */
export interface CheckCase {
  readonly name: string;
  run(ctx: CheckContext): Promise<Verdict>;
}

export interface ConformanceCheck {
  readonly name: string;
  /** What a pass proves, for docs and `--json` readers. */
  readonly proves: string;
  /** The cases to run for the checked types. */
  cases(types: readonly string[]): CheckCase[];
}

/** How many counter-examples `poison` sends at most. */
export const MAX_POISON_SENDS = 12;

const single = (name: string, proves: string, run: (ctx: CheckContext) => Promise<Verdict>): ConformanceCheck => ({
  name,
  proves,
  cases: () => [{ name, run }],
});

export const CHECKS: readonly ConformanceCheck[] = [
  {
    name: 'golden',
    proves: 'every valid example of each checked type, as the hub encodes it, is answered 2xx',
    cases: (types) => types.map((type) => ({ name: `golden/${type}`, run: (ctx) => golden(ctx, type) })),
  },
  single('duplicate', 'a repeated delivery (same Idempotency-Key) is answered 2xx, not as an error', duplicate),
  single('out-of-order', 'a newer message of a subject arriving before an older one is answered 2xx or 4xx, never 5xx or a timeout', outOfOrder),
  single('poison', 'a message whose data breaks its schema is refused with a 4xx (dead-lettered, never retried)', poison),
  single('timeout-budget', "every answer above came within the manifest's delivery.timeoutMs", timeoutBudget),
];

async function golden(ctx: CheckContext, type: string): Promise<Verdict> {
  const examples = ctx.examples.valid.get(type) ?? [];
  if (examples.length === 0) return { passed: true, skipped: true, reason: `no valid example of ${type} to send` };
  const problems: string[] = [];
  for (const example of examples) {
    const sent = await ctx.send(readdress(example.event, ctx.manifest));
    if ('notEncoded' in sent) problems.push(`${example.name}: ${notEncodedText(sent.notEncoded, ctx.manifest.kind)}`);
    else if (sent.answered.outcome !== 'delivered') problems.push(`${example.name}: ${describe(sent.answered)}`);
  }
  if (problems.length > 0) return { passed: false, reason: problems.join('; ') };
  return { passed: true, reason: `${examples.length} example(s) delivered: ${examples.map((e) => e.name).join(', ')}` };
}

async function duplicate(ctx: CheckContext): Promise<Verdict> {
  for (const example of goldenExamples(ctx)) {
    const event = readdress(example.event, ctx.manifest);
    const hubId = randomUUID();
    const first = await ctx.send(event, { hubId, attempt: 1 });
    if ('notEncoded' in first) continue; // golden reports it; try the next example
    if (first.answered.outcome !== 'delivered')
      return { passed: false, reason: `first delivery of ${example.name} not delivered: ${describe(first.answered)}` };
    const repeat = await ctx.send(event, { hubId, attempt: 2 });
    if ('notEncoded' in repeat) return { passed: false, reason: `repeat not encodable: ${repeat.notEncoded.message}` };
    if (repeat.answered.outcome === 'delivered')
      return { passed: true, reason: `${example.name} sent twice as one delivery (hub id ${hubId}): both delivered` };
    return {
      passed: false,
      reason: `repeat of ${example.name} (same Idempotency-Key) answered ${describe(repeat.answered)}; a repeat must be answered 2xx (the hub re-sends after a timeout or a crash)`,
    };
  }
  return { passed: true, skipped: true, reason: 'no golden message the kind can encode' };
}

async function outOfOrder(ctx: CheckContext): Promise<Verdict> {
  const pair = orderedPair(ctx);
  if (!pair) return { passed: true, skipped: true, reason: 'no golden message the kind can encode' };
  const { earlier, later, label } = pair;
  const problems: string[] = [];
  const seen: string[] = [];
  for (const [what, event] of [
    ['newer', later],
    ['older', earlier],
  ] as const) {
    const sent = await ctx.send(event);
    if ('notEncoded' in sent) return { passed: true, skipped: true, reason: `not encodable: ${sent.notEncoded.message}` };
    seen.push(`${what} ${describe(sent.answered)}`);
    if (sent.answered.outcome === 'retry') problems.push(`${what} message answered ${describe(sent.answered)}`);
  }
  if (problems.length > 0) {
    return { passed: false, reason: `${label}: ${problems.join('; ')}; a 5xx or timeout here is retried and blocks every later message of the subject` };
  }
  return { passed: true, reason: `${label}, newer sent first: ${seen.join(', ')}` };
}

async function poison(ctx: CheckContext): Promise<Verdict> {
  const candidates = counterExamples(ctx);
  if (candidates.length === 0) return { passed: true, skipped: true, reason: 'no counter-example (invalid data, valid envelope) of the checked types' };
  const refused: string[] = [];
  const accepted: string[] = [];
  const retried: string[] = [];
  let notEncoded = 0;
  for (const example of candidates) {
    if (refused.length + accepted.length + retried.length >= MAX_POISON_SENDS) break;
    const sent = await ctx.send(example.event);
    if ('notEncoded' in sent) notEncoded += 1;
    else if (sent.answered.outcome === 'refused') refused.push(`${example.name} (${sent.answered.reason})`);
    else if (sent.answered.outcome === 'delivered') accepted.push(example.name);
    else retried.push(`${example.name}: ${describe(sent.answered)}`);
  }
  if (retried.length > 0) {
    return {
      passed: false,
      reason: `${retried.join('; ')}; a poison message answered 5xx or not at all is retried on the whole schedule and trips the breaker: answer 4xx`,
    };
  }
  if (refused.length === 0 && accepted.length > 0) {
    return { passed: false, reason: `accepted invalid data (2xx): ${accepted.join(', ')}; answer 4xx to data that breaks its schema` };
  }
  if (refused.length === 0)
    return { passed: true, skipped: true, reason: `the ${ctx.manifest.kind} encoder refuses all ${notEncoded} counter-example(s): none reaches the endpoint` };
  const alsoAccepted = accepted.length > 0 ? `; accepted ${accepted.join(', ')} (the defect may not survive the ${ctx.manifest.kind} encoding)` : '';
  return { passed: true, reason: `refused ${refused.join(', ')}${alsoAccepted}` };
}

async function timeoutBudget(ctx: CheckContext): Promise<Verdict> {
  const budget = ctx.manifest.delivery.timeoutMs;
  if (ctx.timings.length === 0) return { passed: true, skipped: true, reason: 'no answer to time' };
  const slowest = new Map<string, number>();
  const late: string[] = [];
  for (const t of ctx.timings) {
    slowest.set(t.check, Math.max(slowest.get(t.check) ?? 0, t.ms));
    const timedOut = t.outcome.outcome === 'retry' && t.outcome.failure === 'timeout';
    if (timedOut || t.ms > budget) late.push(`${t.check} (${timedOut ? t.outcome.reason : `${t.ms} ms`})`);
  }
  const per = [...slowest].map(([check, ms]) => `${check} ${ms} ms`).join(', ');
  if (late.length > 0) return { passed: false, reason: `over the ${budget} ms budget: ${late.join(', ')}; slowest per check: ${per}` };
  return { passed: true, reason: `slowest per check (budget ${budget} ms): ${per}` };
}

/** The golden messages of the checked types, in order. */
function goldenExamples(ctx: CheckContext): Example[] {
  return ctx.types.flatMap((type) => ctx.examples.valid.get(type) ?? []);
}

/** Status steps for `out-of-order`: the older and newer states of a subject, by type. */
const STATUS_STEPS: Readonly<Record<string, (data: Record<string, unknown>, step: 'older' | 'newer', time: string) => Record<string, unknown>>> = {
  'vn.gov.document.status': (data, step, time) =>
    step === 'older'
      ? { ...data, statusCode: '03', statusName: 'Đã tiếp nhận', timestamp: time }
      : { ...data, statusCode: '05', statusName: 'Đang xử lý', timestamp: time },
  'vn.gov.dossier.status': (data, step) => ({ ...data, statusCode: step === 'older' ? 2 : 4 }),
};

/**
 * Two messages of one subject, an hour apart: a status type's "03 accepted" then "05 processing"
 * when one is checked (the step applied only where the data stays valid), else one golden message
 * twice with different times.
 */
function orderedPair(ctx: CheckContext): { earlier: CloudEvent; later: CloudEvent; label: string } | undefined {
  const examples = [...goldenExamples(ctx)].sort((a, b) => Number(b.event.type in STATUS_STEPS) - Number(a.event.type in STATUS_STEPS));
  const pairOf = (base: CloudEvent, stepped: boolean) => {
    const start = Date.parse(base.time ?? '') || Date.now() - 3_600_000;
    const make = (step: 'older' | 'newer', at: number): CloudEvent | undefined => {
      const time = vietnamTime(at);
      const event = { ...readdress(base, ctx.manifest), time };
      if (!stepped) return event;
      const data = STATUS_STEPS[event.type]?.({ ...event.data }, step, time);
      return data && ctx.schemas.validateData(event.type, data, event.dataschema).length === 0 ? { ...event, data } : undefined;
    };
    const earlier = make('older', start);
    const later = make('newer', start + 3_600_000);
    if (!earlier || !later) return undefined;
    const code = (e: CloudEvent) => (stepped ? ` ${String(e.data.statusCode)}` : '');
    return { earlier, later, label: `${base.type} subject "${base.subject}" (older${code(earlier)}, newer${code(later)}, an hour apart)` };
  };
  for (const example of examples) {
    const pair = pairOf(example.event, true);
    if (pair) return pair;
  }
  return examples[0] && pairOf(examples[0].event, false);
}

/** Invalid examples of the checked types whose envelope is valid and whose data is not, one type after another. */
function counterExamples(ctx: CheckContext): Example[] {
  const perType = ctx.types.map((type) =>
    (ctx.examples.invalid.get(type) ?? [])
      .map((e) => ({ name: e.name, event: readdress(e.event, ctx.manifest) }))
      .filter(({ event }) => ctx.schemas.validateEnvelope(event).length === 0 && ctx.schemas.validateData(event.type, event.data, event.dataschema).length > 0),
  );
  const interleaved: Example[] = [];
  for (let i = 0; perType.some((list) => i < list.length); i++) for (const list of perType) if (list[i]) interleaved.push(list[i]!);
  return interleaved;
}

/**
 * An example as the hub would deliver it to this connector: `source` kept, `to` including the
 * connector's agency, a fresh `id` (so repeated runs are new messages to the endpoint).
 */
export function readdress(event: CloudEvent, manifest: ConnectorManifest): CloudEvent {
  const to = (event.to ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  if (!to.includes(manifest.agency)) to.push(manifest.agency);
  return { ...event, id: `${event.id}.conformance-${randomUUID().slice(0, 8)}`, to: to.join(',') };
}

/** An outcome in a few words: `delivered (HTTP 200)`, `refused: HTTP 400 {"error":...}`. */
export function describe(outcome: DeliveryOutcome): string {
  if (outcome.outcome === 'delivered') return `delivered${outcome.status === undefined ? '' : ` (HTTP ${outcome.status})`}`;
  const body = typeof outcome.response === 'string' ? outcome.response : outcome.response === undefined ? '' : JSON.stringify(outcome.response);
  const excerpt = body.length > 160 ? `${body.slice(0, 160)}…` : body;
  const auth =
    outcome.status === 401 || outcome.status === 403 ? " (the endpoint refused the hub's signature or credentials: check the token and settings)" : '';
  return `${outcome.outcome}: ${outcome.reason}${auth}${excerpt ? ` ${excerpt}` : ''}`;
}

function notEncodedText(error: AdapterError, kind: string): string {
  return `the hub cannot encode it for ${kind} (${error.code}${error.path ? ` at ${error.path}` : ''}: ${error.message}); the hub dead-letters such messages before they reach the endpoint`;
}

/** `ms` as an RFC 3339 date-time in Vietnam time (+07:00), as the examples write them. */
function vietnamTime(ms: number): string {
  return `${new Date(ms + 7 * 3_600_000).toISOString().slice(0, 19)}+07:00`;
}

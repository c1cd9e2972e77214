/**
 * The operators' view of `lgsp.dead-letters`: every dead letter (Kafka Connect style: the original
 * bytes and the headers naming stage, connector, reason, time), read from the beginning and
 * followed live, plus the marks of letters already replayed, which the trace view hands it from
 * the `replayed` audit events of `lgsp.events` (the one reader of that topic in an instance).
 * Every instance loads the topic (its own group id, never committed), so any instance answers
 * `GET /v1/dead-letters` and the gauge `lgsp_dead_letters{connector}`.
 *
 * Bounded: at most `maxEntries` letters and `maxBytes` of original bytes are kept, oldest dropped
 * first (the topic's retention, 30 days, is the other bound).
 */
import type { IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { Gauge } from 'prom-client';
import { followTopic, type TopicFollower } from '../kafka/topic-follower.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { RecordOrigin } from './dead-letters.ts';
import type { AttemptRecord } from './delivery-record.ts';
import { DLQ_HEADER, HEADER } from '../contract/kafka-headers.ts';

/** One dead letter as the API shows it. `id` is `<partition>:<offset>` on `lgsp.dead-letters`. */
export interface DeadLetterEntry {
  readonly id: string;
  /** A `DeadLetterStage` (`decode`, `validate`, `route`, `encode`, `deliver`) for letters the hub wrote. */
  readonly stage: string;
  readonly connector: string;
  readonly reason: string;
  /** ISO time the letter was written. */
  readonly at: string;
  readonly hubId?: string;
  readonly recipientAgency?: string;
  /** The recipient's HTTP status (stage `deliver`, refused by a 4xx). */
  readonly status?: number;
  /** The start of the recipient's answer (stage `deliver`). */
  readonly response?: string;
  /** Earlier failed attempts, from the delivery record's history. */
  readonly attempts?: readonly AttemptRecord[];
  /** The message's CloudEvents identity, when the letter carries `ce_*` headers. */
  readonly message?: { readonly id: string; readonly source: string; readonly type: string; readonly subject?: string };
  readonly replayed?: { readonly at: string };
  /** Where the failed record was read from (stages `route`, `encode`, `deliver`). */
  readonly origin?: RecordOrigin;
}

/** One dead letter with its original bytes: UTF-8 text when they decode cleanly, else base64. */
export interface DeadLetterDetail extends DeadLetterEntry {
  readonly original: { readonly encoding: 'utf8' | 'base64'; readonly data: string } | null;
}

/** The letter as written, for replaying it. */
export interface RawDeadLetter {
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

export interface DeadLetterQuery {
  connector?: string;
  stage?: string;
  /** Case-insensitive substring of the reason. */
  reason?: string;
  /** ISO times, inclusive, compared with the letter's `at`. */
  from?: string;
  to?: string;
  /** Replayed letters are left out unless this is true. */
  includeReplayed?: boolean;
  limit?: number;
}

export interface DeadLetterLimits {
  maxEntries: number;
  maxBytes: number;
}

interface Stored {
  readonly entry: Omit<DeadLetterEntry, 'replayed'>;
  readonly atMs: number;
  readonly raw: RawDeadLetter;
}

const DEFAULT_LIMITS: DeadLetterLimits = { maxEntries: 100_000, maxBytes: 256 * 1024 * 1024 };

export class DeadLetterView {
  private readonly letters = new Map<string, Stored>();
  /** Replay marks by letter id: kept apart, as the events topic may be read before the letter. */
  private readonly replays = new Map<string, string>();
  private bytes = 0;
  private follower: TopicFollower | undefined;
  private readonly limits: DeadLetterLimits;

  constructor(limits: Partial<DeadLetterLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Reads `topic` (the dead letters) to its end and keeps following it; `groupId` must be unique per instance. */
  async load(kafka: Kafka, topic: string, groupId: string): Promise<void> {
    this.follower = await followTopic(kafka, { topic, groupId, onMessage: (m, p) => this.add(m, p) });
    await this.follower.caughtUp;
  }

  /** Takes one record of `lgsp.dead-letters` (called by the follower; tests call it directly). */
  add(message: Pick<KafkaMessage, 'value' | 'headers' | 'offset' | 'timestamp'> & { key?: Buffer | null }, partition: number): void {
    const headers = stringHeaders(message.headers);
    const id = `${partition}:${message.offset}`;
    const at = headers[DLQ_HEADER.at] ?? new Date(Number(message.timestamp)).toISOString();
    const stage = headers[DLQ_HEADER.stage] ?? 'unknown';
    const status = Number(headers[DLQ_HEADER.status]);
    const recipientAgency = headers[HEADER.recipientAgency] ?? (stage === 'deliver' ? message.key?.toString() : undefined);
    const entry: Omit<DeadLetterEntry, 'replayed'> = {
      id,
      stage,
      connector: headers[DLQ_HEADER.connector] ?? '',
      reason: headers[DLQ_HEADER.reason] ?? '',
      at,
      ...(headers[HEADER.hubId] ? { hubId: headers[HEADER.hubId] } : {}),
      ...(recipientAgency ? { recipientAgency } : {}),
      ...(Number.isInteger(status) && status > 0 ? { status } : {}),
      ...(headers[DLQ_HEADER.response] !== undefined ? { response: headers[DLQ_HEADER.response] } : {}),
      ...attemptsOf(headers[HEADER.history]),
      ...originOf(headers),
      ...(headers.ce_id && headers.ce_source && headers.ce_type
        ? { message: { id: headers.ce_id, source: headers.ce_source, type: headers.ce_type, ...(headers.ce_subject ? { subject: headers.ce_subject } : {}) } }
        : {}),
    };
    this.forget(id);
    const stored: Stored = { entry, atMs: Date.parse(at), raw: { value: message.value, headers } };
    this.letters.set(id, stored);
    this.bytes += message.value?.length ?? 0;
    while (this.letters.size > this.limits.maxEntries || (this.bytes > this.limits.maxBytes && this.letters.size > 1)) {
      this.forget(this.letters.keys().next().value!);
    }
  }

  /** Marks a letter replayed: from a `replayed` audit event, or by the replayer right after its commit. */
  markReplayed(id: string, at: string): void {
    if (this.replays.has(id)) return;
    this.replays.set(id, at);
    if (this.replays.size > this.limits.maxEntries) this.replays.delete(this.replays.keys().next().value!);
  }

  /** Matching letters, newest first (by `at`), at most `limit` (default 100). */
  list(query: DeadLetterQuery = {}): DeadLetterEntry[] {
    const from = query.from ? Date.parse(query.from) : -Infinity;
    const to = query.to ? Date.parse(query.to) : Infinity;
    const reason = query.reason?.toLowerCase();
    const found: Stored[] = [];
    for (const s of this.letters.values()) {
      if (query.connector !== undefined && s.entry.connector !== query.connector) continue;
      if (query.stage !== undefined && s.entry.stage !== query.stage) continue;
      if (reason !== undefined && !s.entry.reason.toLowerCase().includes(reason)) continue;
      if (s.atMs < from || s.atMs > to) continue;
      if (!query.includeReplayed && this.replays.has(s.entry.id)) continue;
      found.push(s);
    }
    found.sort((a, b) => b.atMs - a.atMs || compareIds(b.entry.id, a.entry.id));
    return found.slice(0, query.limit ?? 100).map((s) => this.shown(s));
  }

  get(id: string): DeadLetterDetail | undefined {
    const stored = this.letters.get(id);
    return stored && { ...this.shown(stored), original: original(stored.raw.value) };
  }

  /** The letter as written (value and headers), for the replayer. */
  raw(id: string): RawDeadLetter | undefined {
    return this.letters.get(id)?.raw;
  }

  /** When the letter was replayed, if it was. */
  replayedAt(id: string): string | undefined {
    return this.replays.get(id);
  }

  /** Letters not replayed, per connector; connectors whose letters were all replayed count 0. */
  pendingCountByConnector(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const { entry } of this.letters.values()) {
      counts.set(entry.connector, (counts.get(entry.connector) ?? 0) + (this.replays.has(entry.id) ? 0 : 1));
    }
    return counts;
  }

  get size(): number {
    return this.letters.size;
  }

  async close(): Promise<void> {
    await this.follower?.stop();
  }

  private shown({ entry }: Stored): DeadLetterEntry {
    const at = this.replays.get(entry.id);
    return at ? { ...entry, replayed: { at } } : entry;
  }

  private forget(id: string): void {
    const stored = this.letters.get(id);
    if (!stored) return;
    this.bytes -= stored.raw.value?.length ?? 0;
    this.letters.delete(id);
  }
}

/**
 * Registers `lgsp_dead_letters{connector}` on `metrics`, computed from `view` at every scrape so
 * it is always current. Replaces an earlier registration (the view is the one truth for it).
 */
export function registerDeadLetterGauge(metrics: Metrics, view: DeadLetterView): void {
  const name = 'lgsp_dead_letters';
  if (metrics.registry.getSingleMetric(name)) metrics.registry.removeSingleMetric(name);
  new Gauge({
    name,
    help: 'Dead letters not replayed, per connector',
    labelNames: ['connector'],
    registers: [metrics.registry],
    collect() {
      this.reset();
      for (const [connector, count] of view.pendingCountByConnector()) this.set({ connector }, count);
    },
  });
}

function stringHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  return out;
}

function attemptsOf(history: string | undefined): { attempts?: AttemptRecord[] } {
  if (!history) return {};
  try {
    const parsed: unknown = JSON.parse(history);
    return Array.isArray(parsed) ? { attempts: parsed as AttemptRecord[] } : {};
  } catch {
    return {};
  }
}

function original(value: Buffer | null): DeadLetterDetail['original'] {
  if (!value) return null;
  const text = new TextDecoder('utf-8', { fatal: true });
  try {
    return { encoding: 'utf8', data: text.decode(value) };
  } catch {
    return { encoding: 'base64', data: value.toString('base64') };
  }
}

/** Orders `<partition>:<offset>` ids numerically. */
function compareIds(a: string, b: string): number {
  const [pa = 0, oa = 0] = a.split(':').map(Number);
  const [pb = 0, ob = 0] = b.split(':').map(Number);
  return pa - pb || oa - ob;
}

function originOf(headers: Readonly<Record<string, string>>): { origin?: RecordOrigin } {
  const topic = headers[DLQ_HEADER.topic];
  const partition = Number(headers[DLQ_HEADER.partition]);
  const offset = headers[DLQ_HEADER.offset];
  return topic && offset && Number.isInteger(partition) ? { origin: { topic, partition, offset } } : {};
}

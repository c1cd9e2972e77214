/**
 * The call log as operators and connectors read it: every hub instance reads
 * `lgsp.service-calls` from its beginning and follows it live (its own group id), so any instance
 * answers `GET /v1/services/{id}/calls`. This instance's own records are added as soon as Kafka
 * acknowledged them (`add`, by the call log writer), so a call shows at once; the follower's copy
 * is then recognised by its call id.
 *
 * Bounded: the newest records by arrival, over all services, at most `maxRecords` (default
 * 100,000, under 1 KB each) and `maxBytes` (default 256 MiB: the bodies of services that log
 * them, base64, can make a record of megabytes); older ones stay on the topic (retention:
 * `LGSP_RECORDS_RETENTION`), which is the record that counts, and
 * `GET /v1/audit:verify?topic=service-calls` still checks them. Each
 * service's calls are kept sorted by time (they arrive nearly so), so a query walks back from the
 * newest and stops at its limit instead of sorting: an operator's query does not hold up calls.
 */
import type { Kafka } from 'kafkajs';
import type { Caller } from '../http/route.ts';
import { followTopic, type TopicFollower } from '../kafka/topic-follower.ts';
import type { Logger } from '../ops/logger.ts';
import { CALL_OUTCOMES, type CallOutcome, type CallRecord } from './service-record.ts';

/** How much the view may hold (`CallLogView`'s bound). */
export interface ViewBounds {
  readonly maxRecords: number;
  readonly maxBytes: number;
}

const DEFAULT_BOUNDS: ViewBounds = { maxRecords: 100_000, maxBytes: 256 * 1024 * 1024 };
/** What a record without bodies is counted as, a generous upper bound of its fields. */
const RECORD_BYTES = 1024;
/** How long another instance's calls may take to show here (the follower reads in batches). */
const OTHER_INSTANCES_LAG_MS = 250;

export interface CallQuery {
  readonly service: string;
  /** Only calls of this consumer connector. */
  readonly consumer?: string;
  /** Only calls of connectors of this agency (its code). */
  readonly consumerAgency?: string;
  readonly officer?: string;
  readonly purpose?: string;
  readonly outcome?: CallOutcome;
  /** Only calls answered with this HTTP status. */
  readonly status?: number;
  /** ISO time (UTC, as `toISOString` writes it): only calls at or after it. */
  readonly since?: string;
  /** ISO time (UTC): only calls before it. */
  readonly until?: string;
  /** At most this many; default 100. */
  readonly limit?: number;
}

export class CallLogView {
  /** Every record kept, by call id. */
  private readonly records = new Map<string, CallRecord>();
  /** The same, in arrival order: the oldest is dropped first. (A Map's first key is slow to find after many deletes.) */
  private readonly arrival = new FrontTrimmed<CallRecord>();
  private readonly byService = new Map<string, TimeOrderedCalls>();
  private follower: TopicFollower | undefined;
  private readonly logger: Pick<Logger, 'warn'>;
  private readonly bounds: ViewBounds;
  /** The records kept, counted as `bytesOf` says. */
  private bytes = 0;

  constructor(logger: Pick<Logger, 'warn'>, bounds: Partial<ViewBounds> = {}) {
    this.logger = logger;
    this.bounds = { ...DEFAULT_BOUNDS, ...bounds };
  }

  /** Reads `topic` to its end, then keeps following it; `groupId` must be unique per instance. */
  async load(kafka: Kafka, topic: string, groupId: string): Promise<void> {
    this.follower = await followTopic(kafka, {
      topic,
      groupId,
      // This instance's calls are added by the writer; other instances' may show a moment later.
      batchWithinMs: OTHER_INSTANCES_LAG_MS,
      onMessage: (message, partition) => {
        const record = parseCallRecord(message.value);
        if (record) this.add(record);
        else this.logger.warn({ topic, partition, offset: message.offset }, 'skipped a record of the service call log that is not a call record');
      },
    });
    await this.follower.caughtUp;
  }

  /** Takes one record (from the topic, or from this instance's writer once written); a known call id is ignored. */
  add(record: CallRecord): void {
    if (this.records.has(record.id)) return;
    this.records.set(record.id, record);
    this.arrival.push(record);
    let calls = this.byService.get(record.service);
    if (!calls) this.byService.set(record.service, (calls = new TimeOrderedCalls()));
    calls.insert(record);
    this.bytes += bytesOf(record);
    while (this.records.size > this.bounds.maxRecords || (this.bytes > this.bounds.maxBytes && this.records.size > 1)) this.drop(this.arrival.dropFirst());
  }

  /** The record of call `id`, if this view still holds it. */
  get(id: string): CallRecord | undefined {
    return this.records.get(id);
  }

  /** Whether this view holds any call of `service` (a service since deleted from the catalogue may have some). */
  hasCalls(service: string): boolean {
    return this.byService.has(service);
  }

  /** Matching calls of `query.service`, newest first. */
  list({ service, consumer, consumerAgency, officer, purpose, outcome, status, since, until, limit = 100 }: CallQuery): CallRecord[] {
    const found: CallRecord[] = [];
    this.byService.get(service)?.newestFirst((c) => {
      if (since !== undefined && c.time < since) return false;
      if (
        (consumer === undefined || c.consumer === consumer) &&
        (consumerAgency === undefined || c.consumerAgency === consumerAgency) &&
        (officer === undefined || c.officer === officer) &&
        (purpose === undefined || c.purpose === purpose) &&
        (outcome === undefined || c.outcome === outcome) &&
        (status === undefined || c.status === status) &&
        (until === undefined || c.time < until)
      ) {
        found.push(c);
      }
      return found.length < limit;
    });
    return found;
  }

  get size(): number {
    return this.records.size;
  }

  async close(): Promise<void> {
    await this.follower?.stop();
  }

  private drop(record: CallRecord): void {
    this.records.delete(record.id);
    this.bytes -= bytesOf(record);
    const calls = this.byService.get(record.service)!;
    calls.remove(record);
    if (calls.size === 0) this.byService.delete(record.service);
  }
}

/** What a record is counted as against `maxBytes`: its fields, and its bodies (one byte a base64 character). */
function bytesOf(record: CallRecord): number {
  return RECORD_BYTES + (record.requestBody?.length ?? 0) + (record.responseBody?.length ?? 0);
}

/** An array whose first item is dropped in O(1), amortised, where `shift` on 100,000 items moves every one. */
class FrontTrimmed<T> {
  protected items: (T | undefined)[] = [];
  /** Index of the first item kept; the slots before it were dropped, and are cut off now and then. */
  protected head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  dropFirst(): T {
    const item = this.items[this.head]!;
    this.items[this.head++] = undefined;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

/**
 * One service's calls, oldest first by time. Calls arrive nearly in time order, so most are
 * appended, and the one dropped (the oldest by arrival) is nearly always the first.
 */
class TimeOrderedCalls extends FrontTrimmed<CallRecord> {
  insert(record: CallRecord): void {
    let low = this.head;
    let high = this.items.length;
    if (high === low || this.items[high - 1]!.time <= record.time) return void this.items.push(record);
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.items[mid]!.time <= record.time) low = mid + 1;
      else high = mid;
    }
    this.items.splice(low, 0, record);
  }

  remove(record: CallRecord): void {
    if (this.items[this.head] === record) this.dropFirst();
    else this.items.splice(this.items.indexOf(record, this.head), 1);
  }

  /** Calls `visit` with each call, newest first, while it answers true. */
  newestFirst(visit: (call: CallRecord) => boolean): void {
    for (let i = this.items.length - 1; i >= this.head && visit(this.items[i]!); i--);
  }
}

/**
 * Whose calls of a service `caller` may see: `undefined` for every call (an operator, or the
 * connector that provides the service), else the caller's connector id (a consumer sees only the
 * calls it made itself).
 */
export function visibleConsumer(caller: Caller, provider: string | undefined): string | undefined {
  if (caller.operator || caller.connector.id === provider) return undefined;
  return caller.connector.id;
}

const TEXT_FIELDS = ['id', 'time', 'service', 'provider', 'consumer', 'consumerAgency', 'officer', 'purpose', 'method', 'path'] as const;

/** Parses a record of `lgsp.service-calls` (written by the hub itself); undefined for one it cannot read. */
export function parseCallRecord(value: Buffer | null): CallRecord | undefined {
  if (!value) return undefined;
  try {
    const record = JSON.parse(value.toString()) as Record<string, unknown>;
    const readable =
      TEXT_FIELDS.every((f) => typeof record[f] === 'string') &&
      Number.isInteger(record.status) &&
      typeof record.outcome === 'string' &&
      Object.hasOwn(CALL_OUTCOMES, record.outcome);
    return readable ? (record as unknown as CallRecord) : undefined;
  } catch {
    return undefined;
  }
}

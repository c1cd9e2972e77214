/**
 * The trace view: every hub instance reads the audit trail `lgsp.events` from its beginning and
 * follows it live (its own group id, no commits), keeping each message's events in memory.
 * Bounded: at most `maxMessages` hub ids, the one least recently touched by an event dropped first
 * (Map order), so the traces kept are those of recent or still-active messages.
 *
 * It answers the trace of a hub id, whether an agency may see it, which earlier message a reply
 * (`correlationid`) answers, and, for sending rights (`src/policy/`), whether a reply's sender was
 * routed the original and which agencies took part in the messages about a subject.
 */
import type { Kafka } from 'kafkajs';
import { sourceAgency } from '../contract/cloud-event.ts';
import { followTopic, type TopicFollower } from '../kafka/topic-follower.ts';
import type { Logger } from '../ops/logger.ts';
import { parseAuditEvents, type AcceptedEvent, type AuditEvent, type ReplayedEvent } from './audit-event.ts';
import { assembleTrace, type Trace } from './trace.ts';

export interface TraceViewOptions {
  /** Hub ids kept in memory; default 200,000. */
  maxMessages?: number;
  /** Told about records of the topic that are not audit events (they are skipped). */
  logger?: Pick<Logger, 'warn'>;
  /** Told of each `replayed` event (the dead-letter view's marks), so no other reader follows the topic for them. */
  onReplayed?: (event: ReplayedEvent) => void;
}

interface Entry {
  readonly events: AuditEvent[];
  accepted?: AcceptedEvent;
  /** Agencies of the routed recipients and the unreachable ones: everyone the message addressed. */
  readonly addressed: Set<string>;
  readonly recipientAgencies: Set<string>;
  readonly recipientConnectors: Set<string>;
  /** Connectors a `delivered` event names. */
  readonly deliveredTo: Set<string>;
}

export const DEFAULT_MAX_MESSAGES = 200_000;

export class TraceView {
  private readonly entries = new Map<string, Entry>();
  /** CloudEvents `id` → hub ids of accepted messages with it (an id is unique only per source). */
  private readonly byEventId = new Map<string, Set<string>>();
  /** `subject` → hub ids of accepted messages about it. */
  private readonly bySubject = new Map<string, Set<string>>();
  private readonly maxMessages: number;
  private follower: TopicFollower | undefined;
  private readonly options: TraceViewOptions;

  constructor(options: TraceViewOptions = {}) {
    this.options = options;
    this.maxMessages = options.maxMessages ?? DEFAULT_MAX_MESSAGES;
  }

  /** Reads `topic` to its end, then keeps following it; resolves once caught up. */
  async load(kafka: Kafka, topic: string, groupId: string): Promise<void> {
    this.follower = await followTopic(kafka, {
      topic,
      groupId,
      onMessage: (message, partition) => {
        const events = parse(message.value);
        if (events) for (const event of events) this.apply(event);
        else this.options.logger?.warn({ topic, partition, offset: message.offset }, 'skipped a record of the audit trail that is not an audit event');
      },
    });
    await this.follower.caughtUp;
  }

  /** Reads what the topic holds now (a delivery stage taking partitions over must see their deliveries). */
  async catchUp(): Promise<void> {
    await this.follower?.readToCurrentEnd();
  }

  /** Adds one audit event (called by the follower for every record; tests call it directly). */
  apply(event: AuditEvent): void {
    let entry = this.entries.get(event.hubId);
    if (entry)
      this.entries.delete(event.hubId); // re-insert: Map order is the eviction order
    else entry = { events: [], addressed: new Set(), recipientAgencies: new Set(), recipientConnectors: new Set(), deliveredTo: new Set() };
    this.entries.set(event.hubId, entry);
    entry.events.push(event);
    if (event.kind === 'accepted' && !entry.accepted) {
      entry.accepted = event;
      indexOf(this.byEventId, event.id).add(event.hubId);
      indexOf(this.bySubject, event.subject).add(event.hubId);
    } else if (event.kind === 'routed') {
      for (const { agency, connector } of event.recipients) {
        entry.recipientAgencies.add(agency);
        entry.recipientConnectors.add(connector);
        entry.addressed.add(agency);
      }
      for (const agency of event.unreachable) entry.addressed.add(agency);
    } else if (event.kind === 'delivered') entry.deliveredTo.add(event.connector);
    else if (event.kind === 'replayed') this.options.onReplayed?.(event);
    if (this.entries.size > this.maxMessages) this.evict(this.entries.keys().next().value!);
  }

  /** The trace of `hubId`, or undefined when the view does not know its acceptance. */
  trace(hubId: string): Trace | undefined {
    const entry = this.entries.get(hubId);
    return entry?.accepted ? assembleTrace(entry.events) : undefined;
  }

  /** Whether the audit trail shows `hubId` delivered to `connector` (the delivery stage skips a repeat). */
  delivered(hubId: string, connector: string): boolean {
    return this.entries.get(hubId)?.deliveredTo.has(connector) ?? false;
  }

  /** Whether `agency` sent the message (its `source`) or is one of its routed recipients. */
  visibleTo(hubId: string, agency: string): boolean {
    const entry = this.entries.get(hubId);
    if (!entry?.accepted) return false;
    return sourceAgency(entry.accepted.source) === agency || entry.recipientAgencies.has(agency);
  }

  /**
   * The message a reply from `replierAgency` answers: among accepted messages whose CloudEvents
   * `id` is `correlationid`, the most recent one that addressed `replierAgency` (as a routed
   * recipient or an unreachable agency), else the most recent with that id.
   */
  findOriginal(correlationid: string, replierAgency: string): { hubId: string; sourceAgency: string } | undefined {
    const candidates = [...(this.byEventId.get(correlationid) ?? [])]
      .map((hubId) => this.entries.get(hubId)!)
      .sort((a, b) => Date.parse(b.accepted!.at) - Date.parse(a.accepted!.at));
    const found = candidates.find((e) => e.addressed.has(replierAgency)) ?? candidates[0];
    if (!found) return undefined;
    const { hubId, source } = found.accepted!;
    return { hubId, sourceAgency: sourceAgency(source) ?? source };
  }

  /**
   * The sender of the most recent message with CloudEvents id `eventId` that the hub routed to
   * `agency` or to `connector` (a reply's sender), or undefined when it knows none.
   */
  routedTo(eventId: string, agency: string, connector: string): { sourceAgency: string } | undefined {
    const found = this.accepted(this.byEventId.get(eventId))
      .filter((e) => e.recipientAgencies.has(agency) || e.recipientConnectors.has(connector))
      .sort((a, b) => Date.parse(b.accepted!.at) - Date.parse(a.accepted!.at))[0];
    return found && { sourceAgency: sourceAgency(found.accepted!.source) ?? found.accepted!.source };
  }

  /** Every agency that sent, or was addressed by, an accepted message about `subject` of one of `types`. */
  agenciesAbout(subject: string, types: (type: string) => boolean): Set<string> {
    const agencies = new Set<string>();
    for (const entry of this.accepted(this.bySubject.get(subject))) {
      if (!types(entry.accepted!.type)) continue;
      agencies.add(sourceAgency(entry.accepted!.source) ?? entry.accepted!.source);
      for (const agency of entry.addressed) agencies.add(agency);
    }
    return agencies;
  }

  /** Hub ids in memory. */
  get size(): number {
    return this.entries.size;
  }

  async close(): Promise<void> {
    await this.follower?.stop();
  }

  private accepted(hubIds: Set<string> | undefined): Entry[] {
    return [...(hubIds ?? [])].map((hubId) => this.entries.get(hubId)!).filter((e) => e.accepted !== undefined);
  }

  private evict(hubId: string): void {
    const accepted = this.entries.get(hubId)?.accepted;
    this.entries.delete(hubId);
    if (!accepted) return;
    unindex(this.byEventId, accepted.id, hubId);
    unindex(this.bySubject, accepted.subject, hubId);
  }
}

function indexOf(index: Map<string, Set<string>>, key: string): Set<string> {
  let hubIds = index.get(key);
  if (!hubIds) index.set(key, (hubIds = new Set()));
  return hubIds;
}

function unindex(index: Map<string, Set<string>>, key: string, hubId: string): void {
  const hubIds = index.get(key);
  hubIds?.delete(hubId);
  if (hubIds?.size === 0) index.delete(key);
}

/** A record's audit events, or undefined for a record that is not one (not JSON, or no hub id, kind, time). */
function parse(value: Buffer | null): AuditEvent[] | undefined {
  try {
    const events = parseAuditEvents(value);
    const valid = (e: AuditEvent) => typeof e.hubId === 'string' && typeof e.kind === 'string' && typeof e.at === 'string';
    return events.length > 0 && events.every(valid) ? events : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The trace of one message (`GET /v1/messages/{id}`), assembled from its audit events alone.
 * Pure: the same events in any order give the same trace. Events are sorted by `at`, then by
 * the order in which their kinds happen (`KIND_ORDER`), then as read.
 *
 * Per recipient connector: `routed` makes it `pending`, `retried` `retrying`, `dead-lettered`
 * `dead`, `replayed` `pending` again (attempts kept), `delivered` `delivered`. Delivered is final:
 * a later (or clock-skewed) retry or dead letter of a delivered message is kept in the timeline
 * but does not undo it. Business statuses (`status-reported`) belong to every recipient connector
 * of the reporting agency; the latest by `at` wins whatever order they came in. A status shows the
 * name its event carries: the router names it when it writes it (from the status message, else
 * from the registered kinds' status tables), so the trace needs nothing but the events.
 */
import type { AcceptedEvent, AuditEvent, AuditKind, StatusReportedEvent } from './audit-event.ts';
import type { SignatureRecord } from '../contract/schema-set.ts';
import type { AcceptanceClaims } from '../contract/hub-signature.ts';
import type { SenderPublicKey } from '../contract/sender-signature.ts';

export type DeliveryState = 'pending' | 'retrying' | 'delivered' | 'dead';

export interface BusinessStatus {
  readonly code: string;
  readonly name?: string;
  readonly at: string;
}

export interface RecipientTrace {
  readonly connector: string;
  readonly agency: string;
  state: DeliveryState;
  attempts: number;
  /** The last failure, kept after a later success; `stage` only for dead letters. */
  lastError?: { reason: string; status?: number; stage?: string; at: string };
  nextAttemptAt?: string;
  deliveredAt?: string;
  latencyMs?: number;
  businessStatus?: BusinessStatus;
}

export interface StatusTrace extends BusinessStatus {
  readonly agency: string;
  /** The hub id of the status message, to trace it in turn. */
  readonly statusHubId: string;
}

type WithoutHubId<E> = E extends AuditEvent ? Omit<E, 'hubId'> : never;
export type TimelineEntry = WithoutHubId<AuditEvent>;

export interface Trace {
  readonly hubId: string;
  /** The envelope as accepted: the hub signature's claims, less the hub id and data hash. */
  readonly message: Omit<AcceptanceClaims, 'hubId' | 'dataSha256'> & {
    /** The sender's signature as its kind checked it: valid, invalid or absent, and who signed. */
    readonly signature?: SignatureRecord;
    /** The hub's signature over the message as accepted (compact JWS, docs/signatures.md): `lgsp verify` checks it. */
    readonly hubSignature?: string;
    /** The sender's own signature and the public key of its connector that verified it on ingest: `lgsp verify` checks it too. */
    readonly senderSignature?: string;
    readonly senderKey?: SenderPublicKey;
  };
  readonly recipients: RecipientTrace[];
  /** Agencies addressed that have no connector that accepts the type. */
  readonly unreachable: string[];
  /** Why, per unreachable agency, as the router recorded it: "000.00.05.H49 has no connector that accepts vn.gov.document.sent". */
  readonly unreachableReasons: Record<string, string>;
  readonly statuses: StatusTrace[];
  /** E.g. "3 recipients: 2 delivered, 1 received, 1 retrying; 1 unreachable". */
  readonly summary: string;
  readonly timeline: TimelineEntry[];
}

/** Tie-break for events with the same `at`: the order in which they happen to one message. */
const KIND_ORDER: Readonly<Record<AuditKind, number>> = {
  accepted: 0,
  routed: 1,
  retried: 2,
  'dead-lettered': 3,
  replayed: 4,
  delivered: 5,
  'status-reported': 6,
};

const rank = (e: AuditEvent) => KIND_ORDER[e.kind] ?? Object.keys(KIND_ORDER).length; // a kind newer than this code: last

/** Sorts a copy of `events` by `at`, then kind order, then arrival (the sort is stable). */
export function sortEvents(events: readonly AuditEvent[]): AuditEvent[] {
  return [...events].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || rank(a) - rank(b));
}

/**
 * The trace of the message the events concern (all must share one hub id), or undefined while
 * its `accepted` event is missing (not read yet, or fallen out of the view).
 */
export function assembleTrace(events: readonly AuditEvent[]): Trace | undefined {
  const sorted = sortEvents(events);
  const accepted = sorted.find((e): e is AcceptedEvent => e.kind === 'accepted');
  if (!accepted) return undefined;

  const recipients = new Map<string, RecipientTrace>();
  const unreachable = new Set<string>();
  const unreachableReasons: Record<string, string> = {};
  const statuses: StatusTrace[] = [];
  let routed = false;
  const recipient = (connector: string, agency: string) => {
    let r = recipients.get(connector);
    if (!r) recipients.set(connector, (r = { connector, agency, state: 'pending', attempts: 0 }));
    return r;
  };

  for (const e of sorted) {
    switch (e.kind) {
      case 'accepted':
        break;
      case 'routed':
        routed = true;
        for (const { connector, agency } of e.recipients) recipient(connector, agency);
        for (const agency of e.unreachable) unreachable.add(agency);
        Object.assign(unreachableReasons, e.unreachableReasons);
        break;
      case 'retried': {
        const r = recipient(e.connector, e.agency);
        r.attempts = Math.max(r.attempts, e.attempt);
        r.lastError = { reason: e.reason, ...(e.status !== undefined ? { status: e.status } : {}), at: e.at };
        if (r.state === 'delivered') break;
        r.state = 'retrying';
        r.nextAttemptAt = e.nextAttemptAt;
        break;
      }
      case 'dead-lettered': {
        const r = recipient(e.connector, e.agency);
        r.attempts = Math.max(r.attempts, e.attempt);
        r.lastError = { reason: e.reason, ...(e.status !== undefined ? { status: e.status } : {}), stage: e.stage, at: e.at };
        if (r.state === 'delivered') break;
        r.state = 'dead';
        delete r.nextAttemptAt;
        break;
      }
      case 'replayed': {
        const r = recipient(e.connector, e.agency);
        if (r.state === 'delivered') break;
        r.state = 'pending';
        delete r.nextAttemptAt;
        break;
      }
      case 'delivered': {
        const r = recipient(e.connector, e.agency);
        r.attempts = Math.max(r.attempts, e.attempt);
        if (r.state === 'delivered') break; // a duplicate: keep the first delivery
        r.state = 'delivered';
        r.deliveredAt = e.at;
        r.latencyMs = e.latencyMs;
        delete r.nextAttemptAt;
        break;
      }
      case 'status-reported':
        statuses.push(statusOf(e));
        break;
    }
  }

  // After the loop, so a status read before its recipient's `routed` still lands on it.
  const latestByAgency = new Map(statuses.map((s) => [s.agency, s])); // sorted: the last is the latest
  for (const r of recipients.values()) {
    const s = latestByAgency.get(r.agency);
    if (s) r.businessStatus = { code: s.code, ...(s.name !== undefined ? { name: s.name } : {}), at: s.at };
  }

  const { source, id, type, subject, time, to, correlationid, connector, at, signature, hubSignature, senderSignature, senderKey } = accepted;
  const list = [...recipients.values()];
  return {
    hubId: accepted.hubId,
    message: {
      id,
      source,
      type,
      subject,
      ...(time ? { time } : {}),
      ...(to ? { to } : {}),
      ...(correlationid ? { correlationid } : {}),
      connector,
      acceptedAt: at,
      ...(signature ? { signature } : {}),
      ...(hubSignature ? { hubSignature } : {}),
      ...(senderSignature ? { senderSignature } : {}),
      ...(senderKey ? { senderKey } : {}),
    },
    recipients: list,
    unreachable: [...unreachable],
    unreachableReasons,
    statuses,
    summary: summarize(routed, list, unreachable.size),
    timeline: sorted.map(({ hubId: _hubId, ...entry }) => entry as TimelineEntry),
  };
}

/** The status as reported; its name is the one the router recorded (`status-report.ts`), if any. */
function statusOf(e: StatusReportedEvent): StatusTrace {
  return { agency: e.agency, code: e.statusCode, ...(e.statusName !== undefined ? { name: e.statusName } : {}), at: e.at, statusHubId: e.statusHubId };
}

/**
 * "N recipients: a delivered, b received, c retrying, d dead, e pending; u unreachable", leaving
 * out zero counts. "Received" counts recipients that reported a business status (any code).
 */
export function summarize(routed: boolean, recipients: readonly RecipientTrace[], unreachable: number): string {
  if (!routed && recipients.length === 0) return 'accepted, not routed yet';
  const count = (pred: (r: RecipientTrace) => boolean) => recipients.filter(pred).length;
  const parts = [
    [count((r) => r.state === 'delivered'), 'delivered'],
    [count((r) => r.businessStatus !== undefined), 'received'],
    [count((r) => r.state === 'retrying'), 'retrying'],
    [count((r) => r.state === 'dead'), 'dead'],
    [count((r) => r.state === 'pending'), 'pending'],
  ] as const;
  const counts = parts.filter(([n]) => n > 0).map(([n, label]) => `${n} ${label}`);
  const head = `${recipients.length} recipient${recipients.length === 1 ? '' : 's'}${counts.length ? `: ${counts.join(', ')}` : ''}`;
  return unreachable > 0 ? `${head}; ${unreachable} unreachable` : head;
}

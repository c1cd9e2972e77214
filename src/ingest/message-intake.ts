/**
 * Accepting messages from a connector: check the sender, the envelope, the data, the recipients,
 * the sender's own signatures (`sender-signature.ts`) and the sending rights (`src/policy/`) of
 * every event first (a batch is all-or-nothing), answer re-sent ids from the dedupe store, route
 * the rest (`src/routing/`) and write them with their deliveries (`ingress-writer.ts`). Only once
 * Kafka acknowledged them, and then their dedupe marks, does the caller answer 202.
 */
import { sourceAgency, type CloudEvent } from '../contract/cloud-event.ts';
import { hubIdOf } from '../contract/hub-id.ts';
import { sentClaimsOf } from '../contract/hub-signature.ts';
import { dataBytes, toKafkaMessage, type AcceptedMessage } from '../contract/kafka-binding.ts';
import { HubError, type ProblemCode } from '../contract/problems.ts';
import type { ConnectorManifest, SchemaSet, ValidationIssue, SignatureRecord } from '../contract/schema-set.ts';
import {
  SENDER_SIGNATURE_ATTRIBUTE,
  SenderSignatureError,
  splitSignature,
  verifySenderSignature,
  type SenderPublicKey,
  type SignedEvent,
} from '../contract/sender-signature.ts';
import type { TopicNames } from '../kafka/topics.ts';
import type { Router } from '../routing/router.ts';
import type { SendingRights } from '../policy/sending-rights.ts';
import type { ConnectorIdentity } from '../registry/connector-credentials.ts';

/** Who hands messages in: a connector, which may send only as its own agency unless it relays. */
export interface Sender extends ConnectorIdentity {
  /**
   * A gateway such as the national document axis: it carries agencies outside the directory as
   * `source`, and those of the directory listed in `relayFor`; the others send through their own
   * connector, so a relayed message in their name is refused.
   */
  readonly relay?: boolean;
  readonly relayFor?: readonly string[];
}

/** The sender of `manifest`'s connector; a relay kind (`adapter.relay`) declares `relayFor` in its settings (vdxp). */
export function senderOf(manifest: ConnectorManifest, relay: boolean): Sender {
  const relayFor = relay ? manifest.settings?.relayFor : undefined;
  return { id: manifest.id, agency: manifest.agency, relay, ...(Array.isArray(relayFor) ? { relayFor: relayFor.map(String) } : {}) };
}
import { acceptedAndRoutedMessage, auditMessage, type AcceptedEvent } from '../tracking/audit-event.ts';
import { DedupeStore } from './dedupe-store.ts';
import type { IngestMetrics } from './ingest-metrics.ts';
import type { IngressWriter } from './ingress-writer.ts';

/** What ingest needs to know of the agency directory. */
export interface DirectoryView {
  has(code: string): boolean;
  parentOf(code: string): { code: string } | undefined;
  levelOf(code: string): string | undefined;
}

export interface Receipt {
  readonly id: string;
  readonly source: string;
  readonly trace: string;
}

export interface IntakeParts {
  schemas: SchemaSet;
  directory: () => DirectoryView;
  dedupe: DedupeStore;
  writer: IngressWriter;
  topics: TopicNames;
  metrics: IngestMetrics;
  /** LGSP_MAX_BATCH: the most messages one call may accept, whatever route they came through. */
  maxBatchSize: number;
  /** The hub's signature over each accepted message (`src/registry/hub-keys.ts`). */
  signer: { sign(message: AcceptedMessage, bytes?: Buffer): Promise<string> };
  /** Resolves each accepted message's recipients and builds its delivery records (`src/routing/`). */
  router: Pick<Router, 'route'>;
  /** Who may send what to whom: checked once every event of the request is valid. */
  rights: Pick<SendingRights, 'check'>;
  /** The public keys a connector registered (`auth.publicKeys`); empty when it signs nothing. */
  senderKeys(connector: string): readonly SenderPublicKey[];
}

/** An event as the hub keeps it, with the sender's signature it carried and the registered key that verified it. */
interface Checked {
  readonly event: CloudEvent;
  readonly senderSignature?: string;
  readonly senderKey?: SenderPublicKey;
}

/** Problem classes in the order a mixed batch reports them: the first one present wins. */
const SEVERITY: readonly ProblemCode[] = ['unknown-message-type', 'validation-failed', 'unknown-recipient'];

export class MessageIntake {
  /** Messages being written by this instance, so a concurrent re-send waits for the first. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly parts: IntakeParts;

  constructor(parts: IntakeParts) {
    this.parts = parts;
  }

  /**
   * Accepts `items` (one event, or a batch: `prefixPaths` puts `/<index>` before each issue path).
   * Throws HubError: `batch-too-large`, `source-not-allowed`, `unknown-message-type`, `validation-failed`,
   * `unknown-recipient`, `bad-signature`, `send-not-allowed` (nothing written), or `kafka-unavailable` (re-send with the same ids).
   */
  async accept(connector: Sender, items: readonly unknown[], prefixPaths: boolean): Promise<Receipt[]> {
    const { maxBatchSize } = this.parts;
    if (items.length > maxBatchSize) {
      throw new HubError('batch-too-large', `${items.length} messages in one request; the most is ${maxBatchSize} (LGSP_MAX_BATCH). Split it.`);
    }
    const checked = await this.verifySenders(connector, this.check(connector, items, prefixPaths), prefixPaths).catch((err: unknown) => {
      if (err instanceof HubError) this.rejected(items);
      throw err;
    });
    const events = checked.map((c) => c.event);
    await this.parts.rights.check(connector, events, prefixPaths).catch((err: unknown) => {
      this.rejected(items);
      throw err;
    });
    const now = Date.now();
    const acceptedAt = new Date(now).toISOString();
    const { dedupe } = this.parts;
    const fresh = new Map<string, Checked & { hubId: string }>();
    const waits: Promise<void>[] = [];
    for (const item of checked) {
      const key = DedupeStore.key(item.event.source, item.event.id);
      const pending = this.inFlight.get(key);
      if (pending) waits.push(pending);
      else if (!dedupe.has(key, now) && !fresh.has(key)) fresh.set(key, { ...item, hubId: hubIdOf(item.event.source, item.event.id) });
    }

    if (fresh.size > 0) {
      // Registered before the first await, so a concurrent re-send of the same id waits for this write.
      const written = this.write(fresh, connector.id, acceptedAt);
      for (const key of fresh.keys()) this.inFlight.set(key, written);
      try {
        await written;
        for (const key of fresh.keys()) dedupe.remember(key, now);
      } finally {
        for (const key of fresh.keys()) this.inFlight.delete(key);
      }
    }
    await Promise.all(waits);

    for (const event of events) {
      const key = DedupeStore.key(event.source, event.id);
      this.parts.metrics.received(event.type, this.levelOfSource(event), fresh.has(key) ? 'accepted' : 'duplicate');
    }
    return events.map((event) => ({ id: event.id, source: event.source, trace: `/v1/messages/${hubIdOf(event.source, event.id)}` }));
  }

  /**
   * Signs each fresh message as accepted and routes it, then writes it, its delivery records and
   * its `accepted` and `routed` events; its dedupe mark follows them.
   */
  private async write(fresh: ReadonlyMap<string, Checked & { hubId: string }>, connector: string, acceptedAt: string): Promise<void> {
    const { topics, schemas, signer } = this.parts;
    const accepted = await Promise.all(
      [...fresh.values()].map(async ({ event, hubId, senderSignature, senderKey }) => {
        const message = { event, hubId, connector, acceptedAt, ...(senderSignature ? { senderSignature } : {}) };
        const bytes = dataBytes(event.data); // serialised once: hashed for the signature, then written
        return { message: { ...message, hubSignature: await signer.sign(message, bytes) }, bytes, senderKey };
      }),
    );
    const routed = this.parts.router.route(accepted);
    await this.parts.writer.write(
      [
        { topic: topics.ingress, messages: accepted.map(({ message, bytes }) => toKafkaMessage(message, bytes)) },
        { topic: topics.deliveries, messages: routed.flatMap((r) => r.deliveries) },
        {
          topic: topics.events,
          messages: accepted.flatMap(({ message, senderKey }, index) => [
            acceptedAndRoutedMessage(acceptedEvent(message, schemas.signatureOf(message.event.type, message.event.data), senderKey), routed[index]!.routed),
            ...routed[index]!.events.map(auditMessage),
          ]),
        },
      ],
      [...fresh.keys()],
    );
  }

  /**
   * The sender's signature of each event, against its connector's registered keys: required when
   * it registered any, refused when it registered none (nothing could check it). Throws
   * `bad-signature` naming every event refused and why.
   */
  private async verifySenders(connector: Sender, events: readonly SignedEvent[], prefixPaths: boolean): Promise<Checked[]> {
    const keys = this.parts.senderKeys(connector.id);
    const results = await Promise.all(
      events.map(async (item): Promise<Checked | SenderSignatureError> => {
        const { event, signature } = splitSignature(item);
        try {
          if (signature === undefined) {
            if (keys.length === 0) return { event };
            throw new SenderSignatureError(
              'sender-signature-missing',
              `connector "${connector.id}" registered public keys, so each event it sends must be signed`,
            );
          }
          if (keys.length === 0)
            throw new SenderSignatureError(
              'sender-signature-unexpected',
              `connector "${connector.id}" registered no public key to check it with: have the operator add yours to auth.publicKeys, or send without it`,
            );
          return { event, senderSignature: signature, senderKey: (await verifySenderSignature(signature, keys, sentClaimsOf(event))).key };
        } catch (err) {
          if (err instanceof SenderSignatureError) return err;
          throw err;
        }
      }),
    );
    const errors = results.flatMap((result, index) =>
      result instanceof SenderSignatureError
        ? [{ path: `${prefixPaths ? `/${index}` : ''}/${SENDER_SIGNATURE_ATTRIBUTE}`, message: `${result.code}: ${result.message}` }]
        : [],
    );
    if (errors.length > 0)
      throw new HubError(
        'bad-signature',
        `${errors.length} event${errors.length === 1 ? '' : 's'} without a valid sender signature; nothing was accepted. Each event carries "${SENDER_SIGNATURE_ATTRIBUTE}": a compact JWS over its attributes and the SHA-256 of its data, with a key of auth.publicKeys (docs/signatures.md). See "errors".`,
        { errors },
      );
    return results as Checked[];
  }

  /** Every check that needs no I/O, over every item; throws the most severe problem found. */
  private check(connector: Sender, items: readonly unknown[], prefixPaths: boolean): SignedEvent[] {
    const { schemas } = this.parts;
    const found = new Map<ProblemCode, ValidationIssue[]>();
    const report = (code: ProblemCode, index: number, issues: ValidationIssue[]) => {
      const prefix = prefixPaths ? `/${index}` : '';
      found.set(code, [...(found.get(code) ?? []), ...issues.map((i) => ({ path: `${prefix}${i.path}`, message: i.message }))]);
    };

    items.forEach((item, index) => {
      const source = (item as { source?: unknown } | null)?.source;
      const refusal = typeof source === 'string' ? this.sourceRefusal(connector, source) : undefined;
      if (refusal) throw new HubError('source-not-allowed', `${refusal}${prefixPaths ? ` (event ${index})` : ''}.`);
      const envelope = schemas.validateEnvelope(item);
      if (envelope.length > 0) {
        this.parts.metrics.validationFailed(typeOf(item, schemas));
        return report('validation-failed', index, envelope);
      }
      const event = item as CloudEvent;
      if (!schemas.hasType(event.type)) {
        this.parts.metrics.validationFailed('unknown');
        return report('unknown-message-type', index, [
          { path: '/type', message: `unknown type "${event.type}"; known types: ${schemas.messageTypes.join(', ')}` },
        ]);
      }
      const data = schemas.validateData(event.type, event.data, event.dataschema);
      if (data.length > 0) {
        this.parts.metrics.validationFailed(event.type);
        return report('validation-failed', index, data);
      }
      const recipients = this.unknownRecipients(event);
      if (recipients.length > 0) report('unknown-recipient', index, recipients);
    });

    const code = SEVERITY.find((c) => found.has(c));
    if (code) {
      this.rejected(items);
      const errors = found.get(code)!;
      throw new HubError(code, `${errors.length} problem${errors.length === 1 ? '' : 's'} found; nothing was accepted. See "errors".`, { errors });
    }
    return items as SignedEvent[];
  }

  private rejected(items: readonly unknown[]): void {
    for (const item of items) this.parts.metrics.received(typeOf(item, this.parts.schemas), this.levelOfSource(item), 'rejected');
  }

  /** Why `connector` may not send as `source`, or undefined when it may. */
  private sourceRefusal(connector: Sender, source: string): string | undefined {
    const agency = sourceAgency(source);
    if (!connector.relay)
      return agency === connector.agency ? undefined : `Connector "${connector.id}" sends for agency ${connector.agency} and may not send as "${source}"`;
    if (agency === undefined || !this.parts.directory().has(agency) || connector.relayFor?.includes(agency)) return undefined;
    return `Connector "${connector.id}" relays only for agencies outside the directory, and ${agency} is in it: its messages come through its own connector. If this gateway must carry them, add ${agency} to the connector's settings.relayFor`;
  }

  private unknownRecipients(event: CloudEvent): ValidationIssue[] {
    if (!event.to) return [];
    const directory = this.parts.directory();
    const source = sourceAgency(event.source)!;
    return event.to.split(',').flatMap((recipient): ValidationIssue[] => {
      if (recipient === 'parent' && directory.parentOf(source) === undefined) {
        return [{ path: '/to', message: `"parent": ${source} has no parent in the agency directory` }];
      }
      if (/^\d/.test(recipient) && !directory.has(recipient)) {
        return [{ path: '/to', message: `${recipient} is not in the agency directory` }];
      }
      return [];
    });
  }

  private levelOfSource(item: unknown): string {
    const source = (item as { source?: unknown } | null)?.source;
    return (typeof source === 'string' && this.parts.directory().levelOf(sourceAgency(source) ?? '')) || 'unknown';
  }
}

/** The `type` label of a message that failed validation: a known type or "unknown", never free text. */
function typeOf(item: unknown, schemas: SchemaSet): string {
  const type = (item as { type?: unknown } | null)?.type;
  return typeof type === 'string' && schemas.hasType(type) ? type : 'unknown';
}

function acceptedEvent(
  { event, hubId, acceptedAt, connector, hubSignature, senderSignature }: AcceptedMessage,
  signature: SignatureRecord | undefined,
  senderKey: SenderPublicKey | undefined,
): AcceptedEvent {
  const { source, id, type, subject, time, to, correlationid } = event;
  return {
    kind: 'accepted',
    hubId,
    at: acceptedAt,
    source,
    id,
    type,
    subject,
    connector,
    ...(time ? { time } : {}),
    ...(to ? { to } : {}),
    ...(correlationid ? { correlationid } : {}),
    ...(signature ? { signature } : {}),
    ...(hubSignature ? { hubSignature } : {}),
    ...(senderSignature ? { senderSignature } : {}),
    ...(senderKey ? { senderKey } : {}),
  };
}

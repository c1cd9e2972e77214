/**
 * The registry: agencies and connectors, with the compacted topic `lgsp.registry` as the source
 * of truth (key `agency/<code>` or `connector/<id>`, a null value deletes). Every hub instance
 * loads the topic at start and follows it live, so a registration made through one instance is
 * seen by all within the follower's poll interval. A write returns once this instance has read
 * its own record back, so the API answers with the state it just created.
 */
import type { Kafka, Producer } from 'kafkajs';
import type { AgencyRecord, ConnectorManifest } from '../contract/schema-set.ts';
import { followTopic, type TopicFollower } from '../kafka/topic-follower.ts';
import type { Logger } from '../ops/logger.ts';
import { AgencyDirectory } from './agency-directory.ts';
import { verifyToken, type ConnectorCredential, type ConnectorIdentity, type CredentialStore } from './connector-credentials.ts';

export interface ConnectorEntry {
  readonly manifest: ConnectorManifest;
  readonly credential: ConnectorCredential;
  readonly createdAt: string;
  readonly updatedAt: string;
}

type RegistryValue = { readonly agency: AgencyRecord } | { readonly connector: ConnectorEntry };

export type RegistryChange = { readonly kind: 'agencies' } | { readonly kind: 'connector'; readonly id: string };

export class RegistryStore implements CredentialStore {
  private readonly agencies = new Map<string, AgencyRecord>();
  private readonly connectorEntries = new Map<string, ConnectorEntry>();
  private cachedDirectory: AgencyDirectory = AgencyDirectory.from([]);
  private directoryStale = false;
  private appliedOffset = -1n;
  private readonly offsetWaiters: { offset: bigint; resolve: () => void }[] = [];
  private readonly listeners = new Set<(change: RegistryChange) => void>();
  private follower: TopicFollower | undefined;
  private producer: Producer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly logger: Logger,
  ) {}

  /** Reads the topic to its end (then follows it); the hub is not ready before this resolves. */
  async load(groupId: string): Promise<void> {
    this.producer = this.kafka.producer({ idempotent: true });
    await this.producer.connect();
    this.follower = await followTopic(this.kafka, {
      topic: this.topic,
      groupId,
      onMessage: (message) => {
        this.apply(message.key?.toString() ?? '', message.value);
        this.appliedOffset = BigInt(message.offset);
        this.releaseWaiters();
      },
    });
    await this.follower.caughtUp;
  }

  /** The agency directory as of the last record read; rebuilt only after a change. */
  directory(): AgencyDirectory {
    if (this.directoryStale) {
      this.directoryStale = false;
      try {
        this.cachedDirectory = AgencyDirectory.from([...this.agencies.values()]);
      } catch (err) {
        // Writes are checked before they reach the topic; keep serving the last good tree.
        this.logger.error({ err }, 'the registry topic holds an inconsistent agency directory; keeping the previous one');
      }
    }
    return this.cachedDirectory;
  }

  connectors(): ConnectorEntry[] {
    return [...this.connectorEntries.values()];
  }

  connector(id: string): ConnectorEntry | undefined {
    return this.connectorEntries.get(id);
  }

  verify(token: string): ConnectorIdentity | undefined {
    return verifyToken(token, (id) => {
      const entry = this.connectorEntries.get(id);
      return entry && { id, agency: entry.manifest.agency, credential: entry.credential };
    });
  }

  /** Registers `listener` for changes read from the topic; returns the function that removes it. */
  onChange(listener: (change: RegistryChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async putAgencies(records: readonly AgencyRecord[]): Promise<void> {
    await this.write(records.map((agency) => ({ key: `agency/${agency.code}`, value: JSON.stringify({ agency }) })));
  }

  async putConnector(entry: ConnectorEntry): Promise<void> {
    await this.write([{ key: `connector/${entry.manifest.id}`, value: JSON.stringify({ connector: entry }) }]);
  }

  async deleteConnector(id: string): Promise<void> {
    await this.write([{ key: `connector/${id}`, value: null }]);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.follower?.stop(), this.producer?.disconnect()]);
  }

  private async write(messages: { key: string; value: string | null }[]): Promise<void> {
    if (!this.producer) throw new Error('RegistryStore.load() was not called');
    if (messages.length === 0) return; // nothing to write, and no offset to wait for
    const [result] = await this.producer.send({ topic: this.topic, acks: -1, messages });
    const last = BigInt(result!.baseOffset ?? '0') + BigInt(messages.length - 1);
    if (this.appliedOffset >= last) return;
    await new Promise<void>((resolve) => this.offsetWaiters.push({ offset: last, resolve }));
  }

  private releaseWaiters(): void {
    for (let i = this.offsetWaiters.length - 1; i >= 0; i--) {
      if (this.offsetWaiters[i]!.offset <= this.appliedOffset) this.offsetWaiters.splice(i, 1)[0]!.resolve();
    }
  }

  private apply(key: string, value: Buffer | null): void {
    const [kind, id = ''] = splitKey(key);
    const parsed = value ? (JSON.parse(value.toString()) as RegistryValue) : undefined;
    if (kind === 'agency') {
      if (parsed && 'agency' in parsed) this.agencies.set(id, parsed.agency);
      else this.agencies.delete(id);
      this.directoryStale = true;
      this.emit({ kind: 'agencies' });
    } else if (kind === 'connector') {
      if (parsed && 'connector' in parsed) this.connectorEntries.set(id, parsed.connector);
      else this.connectorEntries.delete(id);
      this.emit({ kind: 'connector', id });
    }
  }

  private emit(change: RegistryChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

function splitKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}

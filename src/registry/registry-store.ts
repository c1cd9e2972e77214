/**
 * The registry: agencies, connectors and operators, with the compacted topic `lgsp.registry` as
 * the source of truth (key `agency/<code>`, `connector/<id>`, `operator/<name>` or the hub's signing keys,
 * `hub-key/<kid>`, an operator's sending rule `policy/<type>`, the data-sharing catalogue's
 * `service/<id>`, `grant/<service>/<grant id>` and `refusal/<service>/<refusal id>`; a null value deletes). Every hub instance
 * loads the topic at start and follows it live, so a registration made through one instance is
 * seen by all within the follower's poll interval. A write returns once this instance has read
 * its own record back, so the API answers with the state it just created.
 */
import type { Kafka } from 'kafkajs';
import type { AgencyRecord, ConnectorManifest } from '../contract/schema-set.ts';
import { idempotentProducer, type RenewedProducer } from '../kafka/renewed-producer.ts';
import { followTopic, type TopicFollower } from '../kafka/topic-follower.ts';
import type { Logger } from '../ops/logger.ts';
import type { OperatorRecord } from '../operators/operator-tokens.ts';
import type { StoredPolicy } from '../policy/sending-rule.ts';
import type { StoredGrant, StoredRefusal, StoredService } from '../services/service-record.ts';
import { SecretsError } from '../secrets/secret-box.ts';
import { AgencyDirectory } from './agency-directory.ts';
import { connectorKey, type ConnectorSealing, type StoredConnector } from './connector-record.ts';
import { hubKeyRecordKey, type StoredHubKey } from './hub-keys.ts';
import { verifyToken, type ConnectorCredential, type ConnectorIdentity, type CredentialStore } from './connector-credentials.ts';

export interface ConnectorEntry {
  readonly manifest: ConnectorManifest;
  readonly credential: ConnectorCredential;
  readonly createdAt: string;
  readonly updatedAt: string;
}

type RegistryValue =
  | { readonly agency: AgencyRecord }
  | { readonly connector: StoredConnector }
  | { readonly operator: OperatorRecord }
  | { readonly hubKey: StoredHubKey }
  | { readonly policy: StoredPolicy }
  | { readonly service: StoredService }
  | { readonly grant: StoredGrant }
  | { readonly refusal: StoredRefusal };

export type RegistryChange = { readonly kind: 'agencies' } | { readonly kind: 'connector'; readonly id: string };

export class RegistryStore implements CredentialStore {
  private readonly agencies = new Map<string, AgencyRecord>();
  private readonly connectorEntries = new Map<string, ConnectorEntry>();
  /** Connectors whose record holds a secret in clear or sealed with an old key. */
  private readonly staleConnectors = new Set<string>();
  /** While loading: records this hub's secrets keys cannot open (a later record of the same key may replace them). */
  private unreadable: Map<string, SecretsError> | undefined = new Map();
  private readonly operatorRecords = new Map<string, OperatorRecord>();
  /** Sending rules set by operators (`policy/<type>`); a type without one follows its default (`src/policy/defaults.ts`). */
  private readonly policyRecords = new Map<string, StoredPolicy>();
  /** The data-sharing catalogue (`src/services/`): services by id, grants and refusals per service (a call reads its service's alone). */
  private readonly serviceRecords = new Map<string, StoredService>();
  private readonly grantRecords = new PerService<StoredGrant>();
  private readonly refusalRecords = new PerService<StoredRefusal>();
  /** The hub's signing keys (`hub-key/<kid>`, `hub-keys.ts`), as stored, in the order of the topic (each kid is written once). */
  private readonly hubKeyRecords = new Map<string, StoredHubKey>();
  /** Client certificate fingerprint (upper case) → connector id; rebuilt after a connector change. */
  private certificateIndex: Map<string, string | undefined> | undefined;
  private cachedDirectory: AgencyDirectory = AgencyDirectory.from([]);
  private directoryStale = false;
  private appliedOffset = -1n;
  private readonly offsetWaiters: { offset: bigint; resolve: () => void }[] = [];
  private readonly listeners = new Set<(change: RegistryChange) => void>();
  private follower: TopicFollower | undefined;
  private readonly producer: RenewedProducer;
  private readonly kafka: Kafka;
  private readonly topic: string;
  private readonly logger: Logger;
  /** Seals a connector's secrets before it is written, opens them as it is read. */
  private readonly sealing: ConnectorSealing;

  constructor(kafka: Kafka, topic: string, logger: Logger, sealing: ConnectorSealing) {
    this.kafka = kafka;
    this.producer = idempotentProducer(kafka);
    this.topic = topic;
    this.logger = logger;
    this.sealing = sealing;
  }

  /** Reads the topic to its end (then follows it); the hub is not ready before this resolves. */
  async load(groupId: string): Promise<void> {
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
    const unreadable = [...this.unreadable!.values()];
    this.unreadable = undefined;
    if (unreadable.length > 0) {
      const [first] = unreadable;
      const others = unreadable.length > 1 ? ` (${unreadable.length - 1} more record(s) too)` : '';
      throw new SecretsError(first!.code, `Cannot load the registry: ${first!.message}${others}`, first!.keyId);
    }
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

  /**
   * The connector whose manifest lists this client certificate (`AA:BB:…`, any case). A
   * fingerprint two manifests list names neither: it cannot tell them apart.
   */
  connectorOfCertificate(fingerprint256: string): ConnectorIdentity | undefined {
    this.certificateIndex ??= certificateIndex(this.connectorEntries.values());
    const id = this.certificateIndex.get(fingerprint256.toUpperCase());
    const entry = id === undefined ? undefined : this.connectorEntries.get(id);
    return entry && { id: entry.manifest.id, agency: entry.manifest.agency };
  }

  /** True when the connector's manifest lists client certificates: it must then present one of them. */
  requiresCertificate(id: string): boolean {
    return (this.connectorEntries.get(id)?.manifest.auth?.clientCertificates?.length ?? 0) > 0;
  }

  operators(): OperatorRecord[] {
    return [...this.operatorRecords.values()];
  }

  operator(name: string): OperatorRecord | undefined {
    return this.operatorRecords.get(name);
  }

  /** Registers `listener` for changes read from the topic; returns the function that removes it. */
  onChange(listener: (change: RegistryChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async putAgencies(records: readonly AgencyRecord[]): Promise<void> {
    await this.write(records.map((agency) => ({ key: `agency/${agency.code}`, value: JSON.stringify({ agency }) })));
  }

  /** Writes the connector, its secrets sealed with the current secrets key. */
  async putConnector(entry: ConnectorEntry): Promise<void> {
    await this.write([this.connectorRecord(entry)]);
  }

  /** Writes again, sealed with the current key, every connector with a secret in clear or sealed with an old key; returns how many. */
  async reencryptConnectors(): Promise<number> {
    const stale = [...this.staleConnectors].flatMap((id) => this.connectorEntries.get(id) ?? []);
    await this.write(stale.map((entry) => this.connectorRecord(entry)));
    return stale.length;
  }

  async deleteConnector(id: string): Promise<void> {
    await this.write([{ key: connectorKey(id), value: null }]);
  }

  async putOperator(record: OperatorRecord): Promise<void> {
    await this.write([{ key: `operator/${record.name}`, value: JSON.stringify({ operator: record }) }]);
  }

  async deleteOperator(name: string): Promise<void> {
    await this.write([{ key: `operator/${name}`, value: null }]);
  }

  policies(): StoredPolicy[] {
    return [...this.policyRecords.values()];
  }

  policy(type: string): StoredPolicy | undefined {
    return this.policyRecords.get(type);
  }

  async putPolicy(record: StoredPolicy): Promise<void> {
    await this.write([{ key: `policy/${record.type}`, value: JSON.stringify({ policy: record }) }]);
  }

  async deletePolicy(type: string): Promise<void> {
    await this.write([{ key: `policy/${type}`, value: null }]);
  }

  services(): StoredService[] {
    return [...this.serviceRecords.values()];
  }

  service(id: string): StoredService | undefined {
    return this.serviceRecords.get(id);
  }

  async putService(record: StoredService): Promise<void> {
    await this.write([{ key: `service/${record.id}`, value: JSON.stringify({ service: record }) }]);
  }

  /** Deletes the service and its grants (refusals stay: they are records of a decision). */
  async deleteService(id: string): Promise<void> {
    const grants = this.grants(id).map((g) => ({ key: `grant/${id}/${g.id}`, value: null }));
    await this.write([...grants, { key: `service/${id}`, value: null }]);
  }

  /** The grants of `service`, in the order they were written. */
  grants(service: string): StoredGrant[] {
    return this.grantRecords.of(service);
  }

  async putGrant(record: StoredGrant): Promise<void> {
    await this.write([{ key: `grant/${record.service}/${record.id}`, value: JSON.stringify({ grant: record }) }]);
  }

  async deleteGrant(service: string, id: string): Promise<void> {
    await this.write([{ key: `grant/${service}/${id}`, value: null }]);
  }

  /** The refusals of `service`, in the order they were written. */
  refusals(service: string): StoredRefusal[] {
    return this.refusalRecords.of(service);
  }

  async putRefusal(record: StoredRefusal): Promise<void> {
    await this.write([{ key: `refusal/${record.service}/${record.id}`, value: JSON.stringify({ refusal: record }) }]);
  }

  /** The hub's signing keys as stored (private parts sealed), in the order they were written. */
  hubKeys(): StoredHubKey[] {
    return [...this.hubKeyRecords.values()];
  }

  /** Writes `records` in one batch, in their order (so keys written again keep their order in the topic). */
  async putHubKeys(records: readonly StoredHubKey[]): Promise<void> {
    await this.write(records.map((hubKey) => ({ key: hubKeyRecordKey(hubKey.kid), value: JSON.stringify({ hubKey }) })));
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.follower?.stop(), this.producer.close()]);
  }

  private async write(messages: { key: string; value: string | null }[]): Promise<void> {
    if (messages.length === 0) return; // nothing to write, and no offset to wait for
    const [result] = await this.producer.use((producer) => producer.send({ topic: this.topic, acks: -1, messages }));
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
      if (!this.applyConnector(key, id, parsed && 'connector' in parsed ? parsed.connector : undefined)) return;
      this.certificateIndex = undefined;
      this.emit({ kind: 'connector', id });
    } else if (kind === 'operator') {
      if (parsed && 'operator' in parsed) this.operatorRecords.set(id, parsed.operator);
      else this.operatorRecords.delete(id);
    } else if (kind === 'policy') {
      if (parsed && 'policy' in parsed) this.policyRecords.set(id, parsed.policy);
      else this.policyRecords.delete(id);
    } else if (kind === 'service') {
      if (parsed && 'service' in parsed) this.serviceRecords.set(id, parsed.service);
      else this.serviceRecords.delete(id);
    } else if (kind === 'grant') {
      this.grantRecords.set(id, parsed && 'grant' in parsed ? parsed.grant : undefined);
    } else if (kind === 'refusal') {
      this.refusalRecords.set(id, parsed && 'refusal' in parsed ? parsed.refusal : undefined);
    } else if (kind === 'hub-key') {
      if (parsed && 'hubKey' in parsed) this.hubKeyRecords.set(id, parsed.hubKey);
      else this.hubKeyRecords.delete(id);
    }
  }

  private connectorRecord(entry: ConnectorEntry): { key: string; value: string } {
    return { key: connectorKey(entry.manifest.id), value: JSON.stringify({ connector: this.sealing.seal(entry) }) };
  }

  /**
   * Opens the record's secrets and keeps the entry; false, the previous entry kept, when this
   * hub's keys cannot open them: at start the load then fails, later it is logged.
   */
  private applyConnector(key: string, id: string, stored: StoredConnector | undefined): boolean {
    this.unreadable?.delete(key);
    let opened;
    try {
      opened = stored && this.sealing.open(key, stored);
    } catch (err) {
      if (!(err instanceof SecretsError)) throw err;
      if (this.unreadable) this.unreadable.set(key, err);
      else this.logger.error({ err, record: key }, `${err.message} Keeping the connector as it was.`);
      return false;
    }
    if (opened) this.connectorEntries.set(id, opened.entry);
    else this.connectorEntries.delete(id);
    if (opened?.stale) this.staleConnectors.add(id);
    else this.staleConnectors.delete(id);
    return true;
  }

  private emit(change: RegistryChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

function certificateIndex(entries: Iterable<ConnectorEntry>): Map<string, string | undefined> {
  const index = new Map<string, string | undefined>();
  for (const { manifest } of entries) {
    for (const fingerprint of manifest.auth?.clientCertificates ?? []) {
      const key = fingerprint.toUpperCase();
      index.set(key, index.has(key) && index.get(key) !== manifest.id ? undefined : manifest.id);
    }
  }
  return index;
}

/** Records keyed by their key's rest, `<service>/<id>`, kept per service in the order written. */
class PerService<T> {
  private readonly services = new Map<string, Map<string, T>>();

  /** Keeps `record` under `key`; undefined deletes it. */
  set(key: string, record: T | undefined): void {
    const [service] = splitKey(key);
    let records = this.services.get(service);
    if (record === undefined) {
      records?.delete(key);
      if (records?.size === 0) this.services.delete(service);
      return;
    }
    if (!records) this.services.set(service, (records = new Map()));
    records.set(key, record);
  }

  of(service: string): T[] {
    return [...(this.services.get(service)?.values() ?? [])];
  }
}

function splitKey(key: string): [string, string] {
  const slash = key.indexOf('/');
  return [key.slice(0, slash), key.slice(slash + 1)];
}

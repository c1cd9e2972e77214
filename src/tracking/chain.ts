/**
 * The hash chain that makes the records topics tamper-evident (`lgsp.events`, `lgsp.audit`, `lgsp.service-calls`;
 * docs/design.md, "Tamper-evident audit"). Several writers share a partition (the stages of every
 * hub instance), so none knows the partition's previous record; instead each writer keeps a chain
 * per partition of ITS OWN records. Each chained record carries `lgsp_chain` (the writer's chain
 * id), `lgsp_chain_seq` (1, 2, …) and `lgsp_chain_prev` (the SHA-256 of the writer's previous
 * record there, `recordHash`). The first record of a chain, every `checkpointEvery`-th and the
 * first after `checkpointMs` also carry `lgsp_chain_sig`: a JWS by the hub's signing key over
 * (chain, partition, seq, hash), so a chain cannot be rewritten or forged without that key.
 *
 * A chain advances only once Kafka acknowledged the records (or committed their transaction).
 * When a write fails, whether Kafka kept it, or part of it, is unknown, so
 * the writer ends that chain and its next write starts a new one (seq 1, signed): a verifier
 * never sees a gap that is not a deletion. The records' partitions are chosen here (Kafka's
 * default partitioner over the key), so the chain knows where each record lands.
 */
import { createHash, randomUUID } from 'node:crypto';
import { CompactSign } from 'jose';
import type { IHeaders, Message, TopicMessages } from 'kafkajs';
import { HUB_SIGNATURE_ALG, type HubSigningKey } from '../contract/hub-signature.ts';
import { HEADER } from '../contract/kafka-headers.ts';
import { Placement } from '../kafka/placement.ts';

/** The JWS `typ` of a checkpoint, so it is never taken for a message signature made with the same key. */
export const CHECKPOINT_TYP = 'lgsp-chain-checkpoint+jws';
/** `lgsp_chain_prev` of a chain's first record. */
export const GENESIS = '0'.repeat(64);
const CHECKPOINT_EVERY = 100;
const CHECKPOINT_MS = 60_000;

/** What a checkpoint signs. */
export interface Checkpoint {
  readonly chain: string;
  readonly partition: number;
  readonly seq: number;
  /** `recordHash` of the record that carries the checkpoint. */
  readonly hash: string;
}

/** A record as hashed: as produced, or as read back. */
export interface ChainedRecord {
  readonly partition: number;
  readonly key: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly headers?: IHeaders;
}

/**
 * The SHA-256 (hex) of a record: its partition, key, value and every header but the checkpoint
 * signature (which signs this hash). Header values as bytes, names sorted, so a record read back
 * hashes as it was written.
 */
export function recordHash({ partition, key, value, headers = {} }: ChainedRecord): string {
  const bytes = (v: Buffer | string | null | undefined) => (v === null || v === undefined ? null : Buffer.from(v).toString('base64'));
  const named = Object.entries(headers)
    .filter(([name, v]) => name !== HEADER.chainSignature && v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, v]) => [name, Array.isArray(v) ? v.map(bytes) : bytes(v as Buffer | string)]);
  return createHash('sha256')
    .update(JSON.stringify([partition, bytes(key), bytes(value), named]))
    .digest('hex');
}

/** The compact JWS of a checkpoint. */
export async function signCheckpoint(checkpoint: Checkpoint, signing: HubSigningKey): Promise<string> {
  return new CompactSign(Buffer.from(JSON.stringify(checkpoint), 'utf8'))
    .setProtectedHeader({ alg: HUB_SIGNATURE_ALG, kid: signing.kid, typ: CHECKPOINT_TYP })
    .sign(signing.key);
}

export interface AuditChainOptions {
  /** The topics the hub writes and their partition counts (where each record lands). */
  readonly partitions: ReadonlyMap<string, number>;
  /** The chained topics among them. */
  readonly chained: ReadonlySet<string>;
  /** The hub's signing key now (`HubKeys.currentSigningKey`). */
  readonly signingKey: () => Promise<HubSigningKey>;
  readonly checkpointEvery?: number;
  readonly checkpointMs?: number;
}

/** The hub's chains: one `ChainWriter` per writer name (stage and lane). */
export class AuditChain {
  /** Where each record of the hub's topics lands; writers check with it that Kafka took every record. */
  readonly placement: Placement;
  private readonly writers = new Map<string, ChainWriter>();
  private readonly options: AuditChainOptions & { placement: Placement };

  constructor(options: AuditChainOptions) {
    this.placement = new Placement(options.partitions);
    this.options = { ...options, placement: this.placement };
  }

  /** The writer `name` (e.g. `lgsp.delivery-p3`); the same object for the same name. */
  writer(name: string): ChainWriter {
    let writer = this.writers.get(name);
    if (!writer) this.writers.set(name, (writer = new ChainWriter(name, this.options)));
    return writer;
  }
}

interface Link {
  readonly seq: number;
  readonly hash: string;
  readonly checkpointAt: number;
}

export class ChainWriter {
  /** The chain's `Placement`: writers check with it that Kafka took every record they sent. */
  readonly placement: Placement;
  private readonly name: string;
  private readonly options: AuditChainOptions & { placement: Placement };
  /** `<name>/<uuid>`: a new one after each failed write. */
  private id: string;
  private links = new Map<string, Link>();
  private tail: Promise<unknown> = Promise.resolve();

  constructor(name: string, options: AuditChainOptions & { placement: Placement }) {
    this.name = name;
    this.placement = options.placement;
    this.options = options;
    this.id = this.newId();
  }

  /**
   * Stamps the records of the chained topics of `topicMessages` and hands them to `send` (which
   * writes them, in a transaction or acknowledged by all replicas). Writes run one at a time. When
   * `send` rejects, the chain ends (a new one starts with the next write) and the rejection passes on.
   */
  write<T>(topicMessages: TopicMessages[], send: (stamped: TopicMessages[]) => Promise<T>): Promise<T> {
    const run = async () => {
      const links = new Map(this.links);
      const stamped = [];
      for (const t of topicMessages) stamped.push({ ...t, messages: await this.stamp(t, links) });
      try {
        const result = await send(stamped);
        this.links = links;
        return result;
      } catch (err) {
        this.id = this.newId();
        this.links = new Map();
        throw err;
      }
    };
    const result = this.tail.then(run, run);
    this.tail = result.catch(() => undefined);
    return result;
  }

  private async stamp({ topic, messages }: TopicMessages, links: Map<string, Link>): Promise<Message[]> {
    const { placement } = this.options;
    // Every record gets its partition, so what kafkajs sends and what the writer checks agree.
    if (!this.options.chained.has(topic)) return messages.map((m) => ({ ...m, partition: placement.partitionOf(topic, m) }));
    const out: Message[] = [];
    for (const message of messages) {
      const partition = this.options.placement.partitionOf(topic, message)!;
      const slot = `${topic}/${partition}`;
      const last = links.get(slot);
      const seq = (last?.seq ?? 0) + 1;
      const headers = { ...message.headers, [HEADER.chain]: this.id, [HEADER.chainSeq]: String(seq), [HEADER.chainPrev]: last?.hash ?? GENESIS };
      const hash = recordHash({ partition, key: message.key ?? null, value: message.value, headers });
      const now = Date.now();
      const due =
        !last || seq % (this.options.checkpointEvery ?? CHECKPOINT_EVERY) === 0 || now - last.checkpointAt >= (this.options.checkpointMs ?? CHECKPOINT_MS);
      const signature = due ? await signCheckpoint({ chain: this.id, partition, seq, hash }, await this.options.signingKey()) : undefined;
      links.set(slot, { seq, hash, checkpointAt: due ? now : last!.checkpointAt });
      out.push({ ...message, partition, headers: signature ? { ...headers, [HEADER.chainSignature]: signature } : headers });
    }
    return out;
  }

  private newId(): string {
    return `${this.name}/${randomUUID()}`;
  }
}

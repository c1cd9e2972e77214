/**
 * Checks the hash chains of a records topic (`chain.ts`): walks each partition in offset order,
 * follows each writer's chain, and names the first broken link of each partition (its offset,
 * writer and why). What it catches: a rewritten record (the writer's next record does not link
 * to it), a copied or forged record (its seq repeats, or its chain is unknown and unsigned), a
 * deleted record (a seq gap), a rewrite of a whole chain by someone without the hub's key (a
 * checkpoint that does not verify). What it cannot: the tail of a chain cut after its last
 * record (nothing follows to miss it); docs/operators.md says so.
 */
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import type { IHeaders, Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { HUB_SIGNATURE_ALG } from '../contract/hub-signature.ts';
import { HEADER } from '../contract/kafka-headers.ts';
import { readToEnd } from '../kafka/topic-follower.ts';
import { CHECKPOINT_TYP, GENESIS, recordHash, type Checkpoint, type ChainedRecord } from './chain.ts';

export interface ReadBack extends ChainedRecord {
  readonly offset: string;
}

export interface BrokenLink {
  readonly partition: number;
  readonly offset: string;
  readonly writer?: string;
  readonly seq?: number;
  readonly reason: string;
}

export interface ChainReport {
  readonly topic: string;
  readonly ok: boolean;
  readonly records: number;
  /** Records written before the hub chained them (at the start of a partition). */
  readonly unchained: number;
  readonly chains: number;
  readonly checkpoints: number;
  /** The first broken link of each partition that has one, by partition. */
  readonly broken: BrokenLink[];
}

interface Tip {
  readonly seq: number;
  readonly hash: string;
  readonly offset: string;
}

/**
 * Checks `records` (read_committed, in offset order within each partition). `logStart` is each
 * partition's first offset: above 0, retention removed the oldest records, so a chain may be seen
 * from the middle.
 */
export async function verifyChains(
  topic: string,
  records: readonly ReadBack[],
  jwks: JSONWebKeySet,
  logStart: ReadonlyMap<number, string>,
): Promise<ChainReport> {
  const keys = createLocalJWKSet(jwks);
  const byPartition = new Map<number, ReadBack[]>();
  for (const r of records) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r]);
  const chains = new Set<string>();
  const broken: BrokenLink[] = [];
  let unchained = 0;
  let checkpoints = 0;
  for (const partition of [...byPartition.keys()].sort((a, b) => a - b)) {
    const tips = new Map<string, Tip>();
    const trimmed = BigInt(logStart.get(partition) ?? '0') > 0n;
    for (const record of byPartition.get(partition)!) {
      const headers = record.headers ?? {};
      const writer = text(headers[HEADER.chain]);
      if (writer === undefined) {
        if (tips.size > 0) {
          broken.push({
            partition,
            offset: record.offset,
            reason: 'a record without chain headers after chained ones: written around the hub, or its headers stripped',
          });
          break;
        }
        unchained++;
        continue;
      }
      const seq = Number(text(headers[HEADER.chainSeq]));
      const prev = text(headers[HEADER.chainPrev]);
      const hash = recordHash(record);
      const tip = tips.get(writer);
      const signature = text(headers[HEADER.chainSignature]);
      const at = { partition, offset: record.offset, writer, seq };
      const reason = !Number.isInteger(seq) || seq < 1 || !prev ? 'malformed chain headers' : linkProblem(tip, seq, prev, trimmed, signature !== undefined);
      const signed =
        reason === undefined && signature !== undefined ? await checkpointProblem(signature, { chain: writer, partition, seq, hash }, keys) : undefined;
      if (reason ?? signed) {
        broken.push({ ...at, reason: (reason ?? signed)! });
        break;
      }
      if (signature !== undefined) checkpoints++;
      chains.add(writer);
      tips.set(writer, { seq, hash, offset: record.offset });
    }
  }
  return { topic, ok: broken.length === 0, records: records.length, unchained, chains: chains.size, checkpoints, broken };
}

function linkProblem(tip: Tip | undefined, seq: number, prev: string, trimmed: boolean, signed: boolean): string | undefined {
  if (!tip) {
    if (seq === 1) {
      if (prev !== GENESIS) return 'the first record of a chain does not start from the genesis hash';
      return signed ? undefined : 'the first record of a chain carries no signed checkpoint: not written by the hub';
    }
    return trimmed ? undefined : `the chain starts at seq ${seq}: its first ${seq - 1} record(s) were deleted, or this record was forged`;
  }
  if (seq <= tip.seq) return `seq ${seq} repeats (the writer was at ${tip.seq}, offset ${tip.offset}): a copied or forged record`;
  if (seq > tip.seq + 1) return `seq jumps from ${tip.seq} (offset ${tip.offset}) to ${seq}: ${seq - tip.seq - 1} record(s) of this writer were deleted`;
  if (prev !== tip.hash) return `does not link to the writer's previous record (offset ${tip.offset}): that record was rewritten, or this one forged`;
  return undefined;
}

async function checkpointProblem(jws: string, expected: Checkpoint, keys: ReturnType<typeof createLocalJWKSet>): Promise<string | undefined> {
  try {
    const { payload, protectedHeader } = await compactVerify(jws, keys, { algorithms: [HUB_SIGNATURE_ALG] });
    if (protectedHeader.typ !== CHECKPOINT_TYP) return `the checkpoint is a JWS of type "${protectedHeader.typ}", not a chain checkpoint`;
    const signed = JSON.parse(Buffer.from(payload).toString('utf8')) as Partial<Checkpoint>;
    const differs = (Object.keys(expected) as (keyof Checkpoint)[]).filter((k) => signed[k] !== expected[k]);
    return differs.length === 0
      ? undefined
      : `the signed checkpoint does not match the record (${differs.join(', ')} differ): the record or its chain was rewritten`;
  } catch (err) {
    return `the checkpoint signature does not verify with the hub's keys (${(err as Error).message}): forged, or signed by another hub`;
  }
}

function text(value: IHeaders[string]): string | undefined {
  const one = Array.isArray(value) ? value[0] : value;
  return one === undefined ? undefined : one.toString();
}

/** Reads `topic` (read_committed) from its beginning to its current end, with a throwaway group `<groupPrefix><uuid>`. */
export async function readForVerify(kafka: Kafka, topic: string, groupPrefix: string): Promise<{ records: ReadBack[]; logStart: Map<number, string> }> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const ends = new Map(offsets.map((p) => [p.partition, BigInt(p.high)]));
  const records: ReadBack[] = [];
  await readToEnd(kafka, {
    topic,
    groupId: `${groupPrefix}${randomUUID()}`,
    onMessage: ({ key, value, headers, offset }, partition) => {
      if (BigInt(offset) < ends.get(partition)!) records.push({ partition, offset, key, value, headers });
    },
  });
  return { records, logStart: new Map(offsets.map((p) => [p.partition, p.low])) };
}

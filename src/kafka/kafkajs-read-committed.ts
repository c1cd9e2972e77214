/**
 * kafkajs 2.2.4 (its last release) can hand a `read_committed` consumer records of aborted
 * transactions. A fetch response lists the aborted transactions that overlap it in the order they
 * were aborted, not by first offset; the Java client sorts them by first offset and, before each
 * record batch, marks every producer whose aborted transaction starts at or before it
 * (`Fetcher`/`CompletedFetch`, KAFKA-4818). kafkajs's `filterAbortedMessages` does neither: it
 * takes the list as it comes and marks at most one producer a record. When several transactions
 * abort at once (a broker dying under load aborts every open one), records of an aborted
 * transaction come through: the broker-kill test saw a dedupe mark of an aborted ingest
 * transaction answer a re-send `202`, so the message was acknowledged and never written.
 *
 * Imported (for its effect, once per process) by the module that makes the hub's kafkajs clients,
 * it decodes each fetch response as kafkajs does, then applies the Java client's rule: an aborted
 * record is turned into a control record, which kafkajs skips (and moves its offset past) as it
 * skips commit markers, and the list is emptied so kafkajs's own filter has nothing left to do.
 */
import { createRequire } from 'node:module';

/** What kafkajs decodes of a record (`protocol/recordBatch/record/v0/decoder.js`). */
export interface FetchedRecord {
  offset: string;
  key: Buffer | null;
  isControlRecord: boolean;
  /** Absent on records of the old message formats, which predate transactions. */
  batchContext?: { producerId: string; inTransaction: boolean };
}

export interface AbortedTransaction {
  producerId: string;
  firstOffset: string;
}

/** The key of an ABORT control record: version 0, type 0 (a COMMIT's type is 1). */
const ABORT_MARKER = Buffer.from([0, 0, 0, 0]);

/**
 * Marks as control records the records of `records` (one partition's, in offset order) that
 * belong to `aborted` transactions; returns how many it marked.
 */
export function markAborted(records: FetchedRecord[], aborted: readonly AbortedTransaction[]): number {
  const pending = [...aborted].sort((a, b) => compareOffsets(a.firstOffset, b.firstOffset));
  const abortedProducers = new Set<string>();
  let marked = 0;
  for (const record of records) {
    while (pending.length > 0 && compareOffsets(pending[0]!.firstOffset, record.offset) <= 0) abortedProducers.add(pending.shift()!.producerId);
    if (!record.batchContext) continue;
    const { producerId, inTransaction } = record.batchContext;
    if (record.isControlRecord) {
      if (record.key?.equals(ABORT_MARKER)) abortedProducers.delete(producerId);
    } else if (inTransaction && abortedProducers.has(producerId)) {
      record.isControlRecord = true;
      marked++;
    }
  }
  return marked;
}

function compareOffsets(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

interface FetchResponseModule {
  decode(raw: Buffer): Promise<{ responses: { partitions: { abortedTransactions?: AbortedTransaction[]; messages: FetchedRecord[] }[] }[] }>;
}

/** Fetch versions 4 to 11 carry aborted transactions; kafkajs asks for the newest the broker has. */
const require = createRequire(import.meta.url);
for (let version = 4; version <= 11; version++) {
  const module = require(`kafkajs/src/protocol/requests/fetch/v${version}/response.js`) as FetchResponseModule;
  const decode = module.decode.bind(module);
  module.decode = async (raw) => {
    const decoded = await decode(raw);
    for (const { partitions } of decoded.responses) {
      for (const partition of partitions) {
        if (!partition.abortedTransactions?.length) continue;
        markAborted(partition.messages, partition.abortedTransactions);
        partition.abortedTransactions = [];
      }
    }
    return decoded;
  };
}

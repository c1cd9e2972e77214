import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { markAborted, type AbortedTransaction, type FetchedRecord } from './kafkajs-read-committed.ts';

const ABORT = Buffer.from([0, 0, 0, 0]);
const COMMIT = Buffer.from([0, 0, 0, 1]);

/** A record as kafkajs decodes it: data in a transaction unless said otherwise, or a control record with `marker`. */
function record(offset: number, producerId: string, { marker, inTransaction = true }: { marker?: Buffer; inTransaction?: boolean } = {}): FetchedRecord {
  return {
    offset: String(offset),
    key: marker ?? Buffer.from(`key-${offset}`),
    isControlRecord: marker !== undefined,
    batchContext: { producerId, inTransaction },
  };
}

/** The offsets of the data records a consumer gets: neither control records nor marked aborted. */
const delivered = (records: FetchedRecord[]) => records.filter((r) => !r.isControlRecord).map((r) => Number(r.offset));

/**
 * One partition, written by hand as the broker lays it out when two transactions abort around a
 * third that commits. Producer 7's transaction starts first (offset 0) but is aborted last (marker at
 * 5); producer 8's starts at 2 and is aborted at 3. The broker lists aborted transactions in the
 * order they were aborted: 8 before 7.
 */
const interleaved = (): { records: FetchedRecord[]; aborted: AbortedTransaction[] } => ({
  records: [
    record(0, '7'),
    record(1, '9'),
    record(2, '8'),
    record(3, '8', { marker: ABORT }),
    record(4, '7'),
    record(5, '7', { marker: ABORT }),
    record(6, '8'),
    record(7, '9', { marker: COMMIT }),
    record(8, '8', { marker: COMMIT }),
  ],
  aborted: [
    { producerId: '8', firstOffset: '2' },
    { producerId: '7', firstOffset: '0' },
  ],
});

describe('read_committed over kafkajs', () => {
  it('drops every record of an aborted transaction, whatever order the broker lists them in', () => {
    const { records, aborted } = interleaved();
    expect(markAborted(records, aborted)).toBe(3);
    // Producer 9's committed record, and producer 8's next transaction after its abort marker.
    expect(delivered(records)).toEqual([1, 6]);
  });

  it("is needed: kafkajs's own filter lets the first transaction's record through", () => {
    const require = createRequire(import.meta.url);
    const filterAbortedMessages = require('kafkajs/src/consumer/filterAbortedMessages.js') as (input: {
      messages: FetchedRecord[];
      abortedTransactions: AbortedTransaction[];
    }) => FetchedRecord[];
    const { records, aborted } = interleaved();
    expect(delivered(filterAbortedMessages({ messages: records, abortedTransactions: aborted }))).toEqual([0, 1, 6]);
  });

  it('marks every producer whose aborted transaction began before a fetch that starts mid-way', () => {
    // A fetch from offset 10, while transactions of 3 (from 4) and 4 (from 8) were both open.
    const records = [record(10, '4'), record(11, '3'), record(12, '3', { marker: ABORT }), record(13, '4', { marker: ABORT }), record(14, '5')];
    const aborted = [
      { producerId: '3', firstOffset: '4' },
      { producerId: '4', firstOffset: '8' },
    ];
    expect(markAborted(records, aborted)).toBe(2);
    expect(delivered(records)).toEqual([14]);
  });

  it('keeps what no aborted transaction holds: records outside a transaction, and everything when none aborted', () => {
    const records = [record(0, '7'), record(1, '7', { inTransaction: false }), record(2, '7', { marker: ABORT }), record(3, '7')];
    expect(markAborted(records, [{ producerId: '7', firstOffset: '0' }])).toBe(1);
    expect(delivered(records)).toEqual([1, 3]);
    const untouched = [record(0, '7'), record(1, '7', { marker: COMMIT })];
    expect(markAborted(untouched, [])).toBe(0);
    expect(delivered(untouched)).toEqual([0]);
  });
});

import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
type RecordEncoder = (record: { key: Buffer; value: Buffer; headers: Record<string, Buffer>; timestampDelta?: number; offsetDelta?: number }) => {
  buffer: Buffer;
};
type ProduceRequest = (request: Record<string, unknown>) => { encode(): Promise<{ buffer: Buffer }> };
const encodeRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as RecordEncoder;
const produceRequest = require('kafkajs/src/protocol/requests/produce/v3/request.js') as ProduceRequest;

/** A produce request like the hub's: a few records, each with a ~3 KB value and twenty headers. */
const produce = () =>
  produceRequest({
    acks: -1,
    timeout: 30_000,
    compression: 0,
    producerId: 7,
    producerEpoch: 0,
    topicData: [
      {
        topic: 'lgsp.deliveries',
        partitions: [
          {
            partition: 3,
            firstSequence: 0,
            messages: Array.from({ length: 5 }, (_, i) => ({
              key: `000.00.05.H49\ndoc-${i}`,
              value: Buffer.alloc(3_000, i),
              headers: Object.fromEntries(Array.from({ length: 20 }, (_, h) => [`ce_header_${h}`, Buffer.from(`value ${h} of record ${i}`)])),
              timestamp: 1_796_000_000_000,
            })),
          },
        ],
      },
    ],
  });

/** Leaves Node's shared buffer pool full of 0xAA, so bytes the encoder failed to write would show. */
function dirtyThePool(): void {
  for (let i = 0; i < 64; i++) Buffer.allocUnsafe(1_000).fill(0xaa);
}

describe('the pooled kafkajs encoder', () => {
  it('encodes a produce request byte for byte as kafkajs does, from a pool full of other bytes', async () => {
    const asKafkajsDoes = (await produce().encode()).buffer;
    await import('./kafkajs-pooled-encoder.ts');
    dirtyThePool();
    const pooled = (await produce().encode()).buffer;
    expect(pooled.equals(asKafkajsDoes)).toBe(true);
  });

  it('stays right when the patch is loaded a second time (another module graph in the same process)', async () => {
    const asKafkajsDoes = (await produce().encode()).buffer;
    await import('./kafkajs-pooled-encoder.ts');
    // @ts-expect-error: a query string makes a second instance of the module
    await import('./kafkajs-pooled-encoder.ts?second');
    dirtyThePool();
    expect((await produce().encode()).buffer.equals(asKafkajsDoes)).toBe(true);
  });

  it('writes a record as the Kafka protocol lays it out (record v2 of KIP-98, written here by hand)', async () => {
    await import('./kafkajs-pooled-encoder.ts');
    dirtyThePool();
    const { buffer } = encodeRecord({
      key: Buffer.from('k1'),
      value: Buffer.from('hello'),
      headers: { ce_id: Buffer.from('m-1'), ce_type: Buffer.from('t') },
      timestampDelta: 3,
      offsetDelta: 2,
    });
    // Varints are zigzag-encoded: n is written as 2n (so 3 → 6, 2 → 4).
    // prettier-ignore
    const body = [
      0x00, // attributes
      0x06, // timestampDelta 3
      0x04, // offsetDelta 2
      0x04, ...Buffer.from('k1'), // key: length 2, bytes
      0x0a, ...Buffer.from('hello'), // value: length 5, bytes
      0x04, // two headers
      0x0a, ...Buffer.from('ce_id'), 0x06, ...Buffer.from('m-1'),
      0x0e, ...Buffer.from('ce_type'), 0x02, ...Buffer.from('t'),
    ];
    expect([...buffer]).toEqual([body.length * 2, ...body]);
  });
});

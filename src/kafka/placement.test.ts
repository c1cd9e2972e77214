import type { RecordMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { Placement, UnacknowledgedWriteError } from './placement.ts';

const placement = new Placement(
  new Map([
    ['t.deliveries', 6],
    ['t.ingress', 6],
  ]),
);
const ack = (topicName: string, partition: number): RecordMetadata => ({ topicName, partition, errorCode: 0, baseOffset: '0' });

/**
 * Keys and their murmur2 hashes from Apache Kafka's own tests (`UtilsTest.testMurmur2`), and the
 * partition Kafka's Java producer picks for each among 6: `(hash & 0x7fffffff) % 6`, worked out by hand.
 */
const JAVA_PLACEMENT: [key: string, murmur2: number, partition: number][] = [
  ['21', -973932308, 0],
  ['foobar', -790332482, 0],
  ['abc', 479470107, 3],
  ['a-little-bit-long-string', -985981536, 2],
  ['a-little-bit-longer-string', -1486304829, 5],
];

describe('Placement', () => {
  it("places records where Kafka's Java producer would", () => {
    for (const [key, , partition] of JAVA_PLACEMENT) expect(placement.partitionOf('t.ingress', { key, value: 'v' }), key).toBe(partition);
  });

  it('places a record by its key, the same partition every time, and keeps a partition set by the writer', () => {
    const first = placement.partitionOf('t.deliveries', { key: '000.00.05.H49', value: 'a' });
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThan(6);
    expect(placement.partitionOf('t.deliveries', { key: '000.00.05.H49', value: 'b' })).toBe(first);
    expect(placement.partitionOf('t.deliveries', { key: '000.00.05.H49', value: 'c', partition: 4 })).toBe(4);
    expect(placement.partitionOf('t.unknown', { key: 'k', value: 'd' })).toBeUndefined();
  });

  it('fails a write that kafkajs resolved without an answer for one of its partitions (tulios/kafkajs#1303)', () => {
    const sent = [
      { topic: 't.ingress', messages: [{ key: 'subject-1', value: 'm' }] },
      {
        topic: 't.deliveries',
        messages: [
          { key: '000.00.05.H49', value: 'm' },
          { key: 'x', value: 'm', partition: 5 },
        ],
      },
    ];
    const ingress = placement.partitionOf('t.ingress', sent[0]!.messages[0]!)!;
    const delivery = placement.partitionOf('t.deliveries', sent[1]!.messages[0]!)!;
    const all = [ack('t.ingress', ingress), ack('t.deliveries', delivery), ack('t.deliveries', 5)];
    expect(() => placement.checkAcknowledged(sent, all)).not.toThrow();

    // The partition whose leader moved to a broker that had already answered: never sent, no answer.
    const withoutOne = all.filter((a) => !(a.topicName === 't.deliveries' && a.partition === 5));
    expect(() => placement.checkAcknowledged(sent, withoutOne)).toThrow(UnacknowledgedWriteError);
    expect(() => placement.checkAcknowledged(sent, withoutOne)).toThrow(/t\.deliveries\/5/);
  });

  it('cannot check a topic of unknown size, and does not fail for it', () => {
    expect(() => placement.checkAcknowledged([{ topic: 't.unknown', messages: [{ key: 'k', value: 'v' }] }], [])).not.toThrow();
  });
});

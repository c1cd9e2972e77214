import type { Kafka, Producer, RecordMetadata, TopicMessages } from 'kafkajs';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HubError } from '../contract/problems.ts';
import { AuditChain } from '../tracking/chain.ts';
import { marksOf } from './dedupe-store.ts';
import { IngressWriter } from './ingress-writer.ts';

const INGRESS = 'lgsp.ingress';
const MARKS = 'lgsp.dedupe';

/**
 * A Kafka whose producers record each send's messages and marks. `hold()` keeps the next send
 * waiting until released; `failWith(value)` makes the send carrying that message fail once, and
 * `failMarks(n)` the next n sends of marks alone (as timed-out produces).
 */
function fakeKafka() {
  const sends: { ingress: string[]; marks: string[] }[] = [];
  const failing = new Set<string>();
  let failingMarks = 0;
  let held: (() => void) | undefined;
  const producer = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    sendBatch: async ({ topicMessages }: { topicMessages: TopicMessages[] }): Promise<RecordMetadata[]> => {
      if (held) await new Promise<void>((release) => (held = release));
      const values = (topic: string) => topicMessages.filter((t) => t.topic === topic).flatMap((t) => t.messages);
      const ingress = values(INGRESS).map((m) => String(m.value));
      const failed = ingress.length === 0 ? failingMarks > 0 && failingMarks-- > 0 : ingress.some((value) => failing.delete(value));
      if (failed) throw new Error('request timed out');
      const marks = values(MARKS).flatMap((m) => marksOf({ key: null, value: Buffer.from(String(m.value)), headers: m.headers as never }));
      sends.push({ ingress, marks });
      return topicMessages.flatMap((t) => t.messages.map((m) => ({ topicName: t.topic, partition: m.partition!, errorCode: 0 })));
    },
  } as unknown as Producer;
  const kafka = { producer: () => producer } as unknown as Kafka;
  return {
    kafka,
    sends,
    failWith: (value: string) => void failing.add(value),
    /** The next `count` sends of marks alone fail. */
    failMarks: (count: number) => void (failingMarks = count),
    hold: () => void (held = () => undefined),
    release: () => {
      const release = held;
      held = undefined;
      release?.();
    },
  };
}

function writerOn(kafka: Kafka): IngressWriter {
  const chain = new AuditChain({
    partitions: new Map([
      [INGRESS, 1],
      [MARKS, 1],
    ]),
    chained: new Set(),
    signingKey: () => Promise.reject(new Error('nothing here is chained')),
  });
  return new IngressWriter(kafka, 'lgsp.ingress', MARKS, pino({ level: 'silent' }), chain);
}

const message = (value: string): TopicMessages[] => [{ topic: INGRESS, messages: [{ key: value, value }] }];
/** Lets the writer's background flush run to its next await. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('IngressWriter', () => {
  it('writes a mark only after its message is acknowledged, alone when idle, else with the next write, and answers after it', async () => {
    const fake = fakeKafka();
    const writer = writerOn(fake.kafka);
    await writer.write(message('a'), ['src\na']);
    expect(fake.sends).toEqual([
      { ingress: ['a'], marks: [] },
      { ingress: [], marks: ['src\na'] },
    ]);

    fake.hold();
    const b = writer.write(message('b'), ['src\nb']);
    await settle();
    const c = writer.write(message('c'), ['src\nc']);
    const d = writer.write(message('d'), ['src\nd']);
    fake.release();
    await Promise.all([b, c, d]);
    await writer.close();
    // c and d waited for b's write and went together, carrying b's mark; theirs went on their own.
    expect(fake.sends.slice(2)).toEqual([
      { ingress: ['b'], marks: [] },
      { ingress: ['c', 'd'], marks: ['src\nb'] },
      { ingress: [], marks: ['src\nc', 'src\nd'] },
    ]);
  });

  it('answers a failed write kafka-unavailable, and the requests whose marks it carried; those marks go with the next write', async () => {
    const fake = fakeKafka();
    const writer = writerOn(fake.kafka);
    fake.failWith('b');
    fake.hold();
    const a = writer.write(message('a'), ['src\na']);
    await settle();
    const b = writer.write(message('b'), ['src\nb']);
    fake.release();
    const unavailable = (err: unknown) => err instanceof HubError && err.code === 'kafka-unavailable' && err.extra.retryAfterSeconds! > 0;
    await expect(b).rejects.toSatisfy(unavailable);
    await expect(a).rejects.toSatisfy(unavailable);
    await writer.write(message('c'), ['src\nc']);
    await writer.close();
    const marks = fake.sends.flatMap((s) => s.marks);
    expect(marks).toEqual(['src\na', 'src\nc']);
    expect(fake.sends.flatMap((s) => s.ingress)).toEqual(['a', 'c']);
  });

  it('writes the marks still waiting when it closes', async () => {
    const fake = fakeKafka();
    const writer = writerOn(fake.kafka);
    fake.hold();
    const a = writer.write(message('a'), ['src\na']);
    await settle();
    const closed = writer.close();
    fake.release();
    await a;
    await closed;
    expect(fake.sends).toEqual([
      { ingress: ['a'], marks: [] },
      { ingress: [], marks: ['src\na'] },
    ]);
  });

  describe('when a write of marks alone fails', () => {
    afterEach(() => void vi.useRealTimers());

    it('tries it again a second later, or at once with a write that comes first', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const fake = fakeKafka();
      const writer = writerOn(fake.kafka);
      fake.failMarks(2);
      await expect(writer.write(message('a'), ['src\na'])).rejects.toThrow(HubError);
      await vi.advanceTimersByTimeAsync(1_000);
      await settle();
      expect(fake.sends.flatMap((s) => s.marks)).toEqual([]);
      await vi.advanceTimersByTimeAsync(1_000);
      await settle();
      expect(fake.sends.at(-1)).toEqual({ ingress: [], marks: ['src\na'] });

      fake.failMarks(1);
      await expect(writer.write(message('b'), ['src\nb'])).rejects.toThrow(HubError);
      await writer.write(message('c'), ['src\nc']);
      await writer.close();
      expect(fake.sends.slice(-2)).toEqual([
        { ingress: ['c'], marks: ['src\nb'] },
        { ingress: [], marks: ['src\nc'] },
      ]);
    });

    it('tries it once more when it closes', async () => {
      const fake = fakeKafka();
      const writer = writerOn(fake.kafka);
      fake.failMarks(1);
      await expect(writer.write(message('a'), ['src\na'])).rejects.toThrow(HubError);
      await writer.close();
      expect(fake.sends).toEqual([
        { ingress: ['a'], marks: [] },
        { ingress: [], marks: ['src\na'] },
      ]);
    });
  });
});

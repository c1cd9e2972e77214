import type { Consumer, IMemberAssignment } from 'kafkajs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { coPartitionedAssigner } from '../../src/kafka/co-partitioned-assigner.ts';
import { createTopicsWithLeaders } from '../../src/kafka/topics.ts';
import { testAdmin, testKafka, uniqueName } from '../helpers/kafka.ts';
import { waitFor } from '../helpers/wait-for.ts';

interface Member {
  consumer: Consumer;
  /** The assignment of the latest GROUP_JOIN, undefined until the first. */
  assignment?: IMemberAssignment;
  protocol?: string;
  /** `topic` → keys received. */
  keys: Map<string, Set<string>>;
}

describe('the CoPartitioned assigner on a real broker', () => {
  it('gives each member the same partition numbers of every topic, so a key stays with one member', async () => {
    const admin = await testAdmin();
    const stem = uniqueName('copart');
    const topics = [`${stem}.deliveries`, `${stem}.retry.5s`, `${stem}.retry.1m`];
    await createTopicsWithLeaders(
      admin,
      topics.map((topic) => ({ topic, numPartitions: 4 })),
    );

    const groupId = uniqueName('copart-group');
    const members = await Promise.all([startMember(groupId, topics), startMember(groupId, topics)]);
    const total = (ms: Member[]) => ms.reduce((n, m) => n + Object.values(m.assignment ?? {}).flat().length, 0);
    // The first member may hold all 12 partitions of an earlier generation until it rejoins.
    await waitFor('both members to join the same generation', () => members.every((m) => m.assignment) && total(members) === 12, 30_000);

    // With 4 partitions round-robin would co-locate too; the protocol name proves ours assigned.
    expect(members.map((m) => m.protocol)).toEqual(['CoPartitioned', 'CoPartitioned']);
    const owned = members.map((m) => topics.flatMap((t) => (m.assignment![t] ?? []).map((p) => `${t}/${p}`)));
    expect(new Set(owned.flat()).size).toBe(12);
    for (const [i, m] of members.entries()) {
      expect(owned[i]!.length).toBeGreaterThan(0);
      const numbers = topics.map((t) => JSON.stringify([...(m.assignment![t] ?? [])].sort((a, b) => a - b)));
      expect(new Set(numbers).size).toBe(1);
    }

    const keys = Array.from({ length: 20 }, (_, i) => `subject-${i}`);
    const producer = testKafka().producer({ idempotent: true });
    await producer.connect();
    onTestFinished(() => producer.disconnect());
    await producer.sendBatch({ acks: -1, topicMessages: topics.map((topic) => ({ topic, messages: keys.map((key) => ({ key, value: topic })) })) });

    const received = () => members.reduce((n, m) => n + [...m.keys.values()].reduce((k, s) => k + s.size, 0), 0);
    await waitFor('every record to reach a member', () => received() === keys.length * topics.length, 30_000);
    const seen = members.map((m) => new Set([...m.keys.values()].flatMap((s) => [...s])));
    for (const [i, m] of members.entries()) {
      for (const topic of topics) expect([...(m.keys.get(topic) ?? [])].sort()).toEqual([...seen[i]!].sort());
    }
    expect(seen.map((s) => s.size > 0)).toEqual([true, true]);
    expect([...seen[0]!].filter((k) => seen[1]!.has(k))).toEqual([]);
  });
});

async function startMember(groupId: string, topics: string[]): Promise<Member> {
  const consumer = testKafka().consumer({ groupId, partitionAssigners: [coPartitionedAssigner], maxWaitTimeInMs: 250 });
  const member: Member = { consumer, keys: new Map() };
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => Object.assign(member, { assignment: payload.memberAssignment, protocol: payload.groupProtocol }));
  await consumer.connect();
  onTestFinished(() => consumer.disconnect());
  await consumer.subscribe({ topics, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const key = message.key?.toString();
      if (key !== undefined) (member.keys.get(topic) ?? member.keys.set(topic, new Set()).get(topic)!).add(key);
    },
  });
  return member;
}

import { AssignerProtocol, type Assignment, type Cluster, type Logger, type PartitionMetadata } from 'kafkajs';
import { describe, expect, it, vi } from 'vitest';
import { coPartitionedAssigner } from './co-partitioned-assigner.ts';

const TOPICS = ['lgsp.deliveries', 'lgsp.retry.5s', 'lgsp.retry.1m', 'lgsp.retry.10m'];

/** The assigner only reads partition metadata from the cluster, so a fake of that one call will do. */
function setup(partitionCounts: Record<string, number>) {
  const findTopicPartitionMetadata = (topic: string): PartitionMetadata[] =>
    Array.from({ length: partitionCounts[topic] ?? 0 }, (_, partitionId) => ({ partitionId, partitionErrorCode: 0, leader: 1, replicas: [1], isr: [1] }));
  const warn = vi.fn();
  const logger = { warn, info: vi.fn(), error: vi.fn(), debug: vi.fn() } as Partial<Logger> as Logger;
  const assigner = coPartitionedAssigner({ cluster: { findTopicPartitionMetadata } as Partial<Cluster> as Cluster, groupId: 'g', logger });
  const member = (memberId: string, topics = TOPICS) => ({ memberId, memberMetadata: assigner.protocol({ topics }).metadata });
  const assign = async (members: ReturnType<typeof member>[], topics = TOPICS): Promise<Map<string, Assignment>> =>
    new Map((await assigner.assign({ members, topics })).map((a) => [a.memberId, AssignerProtocol.MemberAssignment.decode(a.memberAssignment)!.assignment]));
  return { assigner, member, assign, warn };
}

const sixEach = Object.fromEntries(TOPICS.map((t) => [t, 6]));

describe('coPartitionedAssigner', () => {
  it.each([1, 2, 3])('gives partition p of every topic to one member, once, balanced (%i members)', async (n) => {
    const { member, assign, warn } = setup(sixEach);
    const ids = ['m-c', 'm-a', 'm-b'].slice(0, n);
    const result = await assign(ids.map((id) => member(id)));

    expect([...result.keys()].sort()).toEqual([...ids].sort());
    for (const topic of TOPICS) {
      const owners = [...result.values()].flatMap((a) => a[topic] ?? []).sort((a, b) => a - b);
      expect(owners).toEqual([0, 1, 2, 3, 4, 5]);
    }
    const numbers = [...result.values()].map((a) => {
      const perTopic = TOPICS.map((t) => JSON.stringify(a[t] ?? []));
      expect(new Set(perTopic).size).toBe(1);
      return (a[TOPICS[0]!] ?? []).length;
    });
    expect(Math.max(...numbers) - Math.min(...numbers)).toBeLessThanOrEqual(1);
    expect(result.get([...ids].sort()[0]!)![TOPICS[0]!]).toContain(0);
    expect(warn).not.toHaveBeenCalled();
  });

  it('assigns by partition number when counts differ, warning once', async () => {
    const { member, assign, warn } = setup({ ...sixEach, 'lgsp.retry.1m': 4 });
    const members = [member('a'), member('b')];
    const result = await assign(members);
    await assign(members);

    expect(result.get('a')).toEqual(Object.fromEntries(TOPICS.map((t) => [t, t === 'lgsp.retry.1m' ? [0, 2] : [0, 2, 4]])));
    expect(result.get('b')).toEqual(Object.fromEntries(TOPICS.map((t) => [t, t === 'lgsp.retry.1m' ? [1, 3] : [1, 3, 5]])));
    expect(warn).toHaveBeenCalledOnce();
  });

  it('shares each topic among its own subscribers only', async () => {
    const { member, assign } = setup(sixEach);
    const result = await assign([member('a'), member('b', ['lgsp.deliveries'])]);

    expect(result.get('a')).toEqual({
      'lgsp.deliveries': [0, 2, 4],
      'lgsp.retry.5s': [0, 1, 2, 3, 4, 5],
      'lgsp.retry.1m': [0, 1, 2, 3, 4, 5],
      'lgsp.retry.10m': [0, 1, 2, 3, 4, 5],
    });
    expect(result.get('b')).toEqual({ 'lgsp.deliveries': [1, 3, 5] });
  });

  it('announces itself as CoPartitioned version 1 with the subscription', () => {
    const { assigner } = setup(sixEach);
    const { name, metadata } = assigner.protocol({ topics: TOPICS });
    expect(name).toBe('CoPartitioned');
    expect(AssignerProtocol.MemberMetadata.decode(metadata)).toMatchObject({ version: 1, topics: TOPICS });
  });
});

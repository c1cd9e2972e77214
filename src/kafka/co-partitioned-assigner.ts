/**
 * `CoPartitioned`: a kafkajs partition assigner that gives partition p of every subscribed topic
 * to the same member, so one member owns all records of a key across `deliveries` and its retry
 * tiers (the topics are keyed alike and have the same partition count), as Kafka Streams
 * co-partitions its inputs.
 *
 * Member ids are sorted and partition p of each topic goes to member[p % n]. Consequences:
 * - Topics with different partition counts are still assigned by partition number; the
 *   co-location then only means "same partition number", not "same key", because the default
 *   partitioner hashes a key modulo the count. A warning is logged once per distinct mismatch.
 * - A member that did not subscribe to a topic gets none of it: each topic is shared among its
 *   own subscribers (sorted, p % count). Co-location therefore holds between topics that have
 *   the same subscribers, which is the case whenever every member subscribes alike.
 */
import { AssignerProtocol, type Assignment, type GroupMember, type PartitionAssigner } from 'kafkajs';

const NAME = 'CoPartitioned';
const VERSION = 1;

export const coPartitionedAssigner: PartitionAssigner = ({ cluster, logger }) => {
  let lastMismatch: string | undefined;

  return {
    name: NAME,
    version: VERSION,

    /** Called on the group leader at each rebalance, after kafkajs refreshed the metadata. */
    async assign({ members, topics }) {
      const subscribers = subscribersByTopic(members, topics);
      const partitions = new Map(
        topics.map((topic) => [
          topic,
          cluster
            .findTopicPartitionMetadata(topic)
            .map((m) => m.partitionId)
            .sort((a, b) => a - b),
        ]),
      );

      const counts = [...partitions].map(([topic, ids]) => `${topic}=${ids.length}`);
      if (new Set([...partitions.values()].map((ids) => ids.length)).size > 1) {
        const signature = counts.join(',');
        if (signature !== lastMismatch) {
          lastMismatch = signature;
          logger.warn('Co-partitioned topics have different partition counts: assigning by partition number, keys are not co-located', {
            partitionCounts: counts,
          });
        }
      }

      const assignments = new Map<string, Assignment>(members.map((m) => [m.memberId, {}]));
      for (const [topic, ids] of partitions) {
        const owners = subscribers.get(topic) ?? [];
        if (owners.length === 0) continue;
        for (const p of ids) {
          const owner = assignments.get(owners[p % owners.length]!)!;
          (owner[topic] ??= []).push(p);
        }
      }

      return [...assignments].map(([memberId, assignment]) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: VERSION, assignment, userData: Buffer.alloc(0) }),
      }));
    },

    protocol({ topics }) {
      return { name: NAME, metadata: AssignerProtocol.MemberMetadata.encode({ version: VERSION, topics, userData: Buffer.alloc(0) }) };
    },
  };
};

/** Sorted member ids per topic, from each member's own subscription in its join metadata. */
function subscribersByTopic(members: GroupMember[], topics: string[]): Map<string, string[]> {
  const byTopic = new Map<string, string[]>(topics.map((t) => [t, []]));
  for (const { memberId, memberMetadata } of [...members].sort((a, b) => compare(a.memberId, b.memberId))) {
    const subscribed = AssignerProtocol.MemberMetadata.decode(memberMetadata)?.topics ?? [];
    for (const topic of subscribed) byTopic.get(topic)?.push(memberId);
  }
  return byTopic;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

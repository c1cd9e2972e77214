import { describe, expect, it } from 'vitest';
import { recordsTopics, topicNames, topicSpecs } from './topics.ts';

describe('topics', () => {
  it('follow SPEC section 4 under the configured prefix', () => {
    const names = topicNames('qn.', [5_000, 60_000]);
    expect(names).toEqual({
      registry: 'qn.registry',
      ingress: 'qn.ingress',
      deliveries: 'qn.deliveries',
      retries: ['qn.retry.5s', 'qn.retry.1m'],
      deadLetters: 'qn.dead-letters',
      events: 'qn.events',
      dedupe: 'qn.dedupe',
      holds: 'qn.holds',
      audit: 'qn.audit',
      serviceCalls: 'qn.service-calls',
    });
  });

  it('compact the registry and never ask more in-sync replicas than exist', () => {
    const specs = topicSpecs(topicNames('lgsp.', [5_000]), {
      partitions: 6,
      replicationFactor: 1,
      maxMessageBytes: 1_000_000,
      dedupeWindowMs: 60_000,
      recordsRetentionMs: -1,
    });
    const registry = specs.find((s) => s.topic === 'lgsp.registry')!;
    expect(registry.configEntries).toContainEqual({ name: 'cleanup.policy', value: 'compact' });
    expect(specs.find((s) => s.topic === 'lgsp.audit')!.configEntries).toContainEqual({ name: 'retention.ms', value: '-1' });
    expect(specs.every((s) => s.configEntries!.some((c) => c.name === 'min.insync.replicas' && c.value === '1'))).toBe(true);
    expect(
      topicSpecs(topicNames('lgsp.', []), {
        partitions: 6,
        replicationFactor: 3,
        maxMessageBytes: 1_000_000,
        dedupeWindowMs: 60_000,
        recordsRetentionMs: -1,
      })[1]!.configEntries,
    ).toContainEqual({ name: 'min.insync.replicas', value: '2' });
  });

  it('keep the records for LGSP_RECORDS_RETENTION and the other topics for their own reasons', () => {
    const names = topicNames('lgsp.', [5_000]);
    const specs = topicSpecs(names, {
      partitions: 6,
      replicationFactor: 1,
      maxMessageBytes: 1_000_000,
      dedupeWindowMs: 60_000,
      recordsRetentionMs: 2_592_000_000,
    });
    const held = (topic: string) =>
      Object.fromEntries(
        specs
          .find((s) => s.topic === topic)!
          .configEntries!.filter((c) => ['cleanup.policy', 'retention.ms'].includes(c.name))
          .map((c) => [c.name, c.value]),
      );
    expect(recordsTopics(names).map(held)).toEqual(Array(4).fill({ 'cleanup.policy': 'delete', 'retention.ms': '2592000000' }));
    expect([names.dedupe, names.deadLetters, names.registry].map(held)).toEqual([
      { 'cleanup.policy': 'compact,delete', 'retention.ms': '60000' },
      { 'retention.ms': '2592000000' },
      { 'cleanup.policy': 'compact' },
    ]);
  });
});

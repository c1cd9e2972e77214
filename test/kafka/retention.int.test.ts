import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { HubConfig } from '../../src/config/config.ts';
import { startHub } from '../../src/hub.ts';
import { testConfig } from '../helpers/hub.ts';
import { createTopicsWithLeaders } from '../../src/kafka/topics.ts';
import { testAdmin, testCluster } from '../helpers/kafka.ts';

const SEVEN_DAYS = '604800000';
const HELD = ['cleanup.policy', 'retention.ms', 'max.message.bytes'];

/** A hub on the test broker whose log lines are kept, parsed, in `lines`. */
async function startLoggedHub(config: HubConfig) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const hub = await startHub(config, testCluster(), pino({ level: 'info' }, sink));
  onTestFinished(() => hub.close());
  return { hub, altered: () => lines.filter((l) => l.msg === 'records topic retention changed to LGSP_RECORDS_RETENTION') };
}

/** `cleanup.policy`, `retention.ms` and `max.message.bytes` of each topic, as the broker has them. */
async function configsOf(topics: readonly string[]): Promise<Record<string, Record<string, string>>> {
  const admin = await testAdmin();
  const { resources } = await admin.describeConfigs({
    resources: topics.map((name) => ({ type: 2, name, configNames: HELD })),
    includeSynonyms: false,
  });
  return Object.fromEntries(resources.map((r) => [r.resourceName, Object.fromEntries(r.configEntries.map((c) => [c.configName, c.configValue]))]));
}

describe('records retention (SPEC section 4)', () => {
  it('creates ingress, events and audit kept forever, and leaves the work topics to their own', { timeout: 60_000 }, async () => {
    const { hub, altered } = await startLoggedHub(testConfig());
    const { ingress, events, audit, deliveries, deadLetters } = hub.topics;
    const configs = await configsOf([ingress, events, audit, deliveries, deadLetters]);
    for (const topic of [ingress, events, audit]) expect(configs[topic]).toMatchObject({ 'cleanup.policy': 'delete', 'retention.ms': '-1' });
    expect(configs[deliveries]?.['retention.ms']).toBe(SEVEN_DAYS); // the broker's default: a work queue
    expect(configs[deadLetters]?.['retention.ms']).toBe(String(30 * 24 * 3_600_000));
    expect(altered()).toEqual([]);
  });

  it(
    'alters a records topic made with 7 days to LGSP_RECORDS_RETENTION at start, keeps its other settings, and logs from what to what',
    { timeout: 90_000 },
    async () => {
      const config = testConfig({ LGSP_RECORDS_RETENTION: '30d' });
      expect(config.recordsRetentionMs).toBe(2_592_000_000);
      const admin = await testAdmin();
      const ingress = `${config.topicPrefix}ingress`;
      const events = `${config.topicPrefix}events`;
      await createTopicsWithLeaders(admin, [
        {
          topic: ingress,
          numPartitions: 3,
          configEntries: [
            { name: 'retention.ms', value: SEVEN_DAYS },
            { name: 'max.message.bytes', value: '3000000' },
          ],
        },
        { topic: events, numPartitions: 3, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
      ]);

      const first = await startLoggedHub(config);
      const configs = await configsOf([ingress, events, first.hub.topics.audit]);
      expect(configs).toEqual({
        [ingress]: { 'cleanup.policy': 'delete', 'retention.ms': '2592000000', 'max.message.bytes': '3000000' },
        [events]: { 'cleanup.policy': 'delete', 'retention.ms': '2592000000', 'max.message.bytes': expect.any(String) },
        [first.hub.topics.audit]: { 'cleanup.policy': 'delete', 'retention.ms': '2592000000', 'max.message.bytes': expect.any(String) },
      });
      expect(first.altered().map(({ level, topic, from, to }) => ({ level, topic, from, to }))).toEqual([
        { level: 40, topic: ingress, from: { 'retention.ms': SEVEN_DAYS }, to: { 'retention.ms': '2592000000' } },
        // The broker's own default retention of an existing topic is 7 days too.
        {
          level: 40,
          topic: events,
          from: { 'cleanup.policy': 'compact', 'retention.ms': SEVEN_DAYS },
          to: { 'cleanup.policy': 'delete', 'retention.ms': '2592000000' },
        },
      ]);
      await first.hub.close();

      const again = await startLoggedHub(config);
      expect(again.altered()).toEqual([]); // held already: nothing to change, nothing logged
    },
  );
});

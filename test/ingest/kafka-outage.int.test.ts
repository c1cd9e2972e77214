import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../../src/hub.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { readToEnd } from '../../src/kafka/topic-follower.ts';
import { testConfig } from '../helpers/hub.ts';
import { startOwnBroker, type OwnBroker } from '../helpers/own-broker.ts';
import { documentSent, post, seedSenders } from '../helpers/messages.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { plaintext } from '../../src/kafka/kafka-security.ts';

/** This file owns a broker of its own, because it stops it. */
describe('ingest while Kafka is down', () => {
  let broker: OwnBroker;
  let hub: Hub;
  let token: string;
  beforeAll(async () => {
    broker = await startOwnBroker();
    const config = testConfig();
    hub = await startHub(config, plaintext(broker.current.brokers), createLogger(config));
    token = (await seedSenders(hub.url)).sender;
  });
  afterAll(async () => {
    await hub?.close();
    await broker?.stop();
  });

  it('answers 503 with Retry-After, turns unready, writes nothing, and accepts again once Kafka is back', { timeout: 120_000 }, async () => {
    const before = documentSent();
    expect((await post(hub.url, before, { token })).status).toBe(202);
    await broker.current.stop();

    const during = documentSent();
    const started = Date.now();
    const refused = await post(hub.url, during, { token });
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ type: 'https://lgsp-hub.dev/problems/kafka-unavailable' });
    expect(Date.now() - started).toBeLessThan(10_000);
    await waitFor('/readyz to say not ready', async () => (await fetch(`${hub.url}/readyz`)).status === 503);

    await broker.restart();
    // Right after a restart the partition may not have a leader yet: read until the acknowledged record shows.
    const ids = await waitFor('the record acknowledged before the outage', async () => {
      const read = await committedIds(broker.current.brokers, hub.topics.ingress);
      return read.includes(before.id as string) && read;
    });
    expect(ids).toContain(before.id);
    expect(ids).not.toContain(during.id);
    await waitFor('/readyz to say ready again', async () => (await fetch(`${hub.url}/readyz`)).status === 200, 60_000);
    expect((await post(hub.url, documentSent(), { token })).status).toBe(202);
  });
});

async function committedIds(brokers: string[], topic: string): Promise<string[]> {
  const ids: string[] = [];
  const kafka = new Kafka({ brokers, clientId: 'outage-reader', logLevel: logLevel.NOTHING });
  await readToEnd(kafka, { topic, groupId: `reader-${Date.now()}`, onMessage: (m) => ids.push(m.headers?.ce_id?.toString() ?? '') });
  return ids;
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../../src/hub.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { addAgencySystem, FAST_RETRIES, receivedIds, type AgencySystem } from '../helpers/agencies.ts';
import { testConfig } from '../helpers/hub.ts';
import { startOwnBroker, type OwnBroker } from '../helpers/own-broker.ts';
import { documentSent, post, seedSenders } from '../helpers/messages.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { plaintext } from '../../src/kafka/kafka-security.ts';

const N = 60;

/** This file owns a broker of its own, because it restarts it. */
describe('a broker restart', () => {
  let broker: OwnBroker;
  let hub: Hub;
  let token: string;
  let recipient: AgencySystem;
  beforeAll(async () => {
    broker = await startOwnBroker();
    const config = testConfig({ LGSP_RETRY_TIERS: FAST_RETRIES.tiers });
    hub = await startHub(config, plaintext(broker.current.brokers), createLogger(config));
    token = (await seedSenders(hub.url)).sender;
    recipient = await addAgencySystem(hub.url, 'qn-bai-chay', '000.01.05.H49');
  });
  afterAll(async () => {
    await recipient?.sim.close();
    await hub?.close();
    await broker?.stop();
  });

  it('is ridden out: the hub reconnects by itself and every accepted message is delivered', { timeout: 240_000 }, async () => {
    const messages = Array.from({ length: N }, (_, i) => documentSent({ to: recipient.agency, subject: `restart-${i % 5}` }));
    const accepted: string[] = [];
    const sendAll = async (batch: typeof messages) => {
      for (const m of batch) {
        const res = await post(hub.url, m, { token }).catch(() => undefined);
        if (res?.status === 202) accepted.push(m.id as string);
        else return batch.slice(batch.indexOf(m));
      }
      return [];
    };
    await sendAll(messages.slice(0, N / 2));
    await broker.current.stop();
    const pending = await sendAll(messages.slice(N / 2));
    expect(pending.length).toBeGreaterThan(0); // the hub answered 503 while the broker was down
    await broker.restart();
    await waitFor('the hub to be ready again', async () => (await fetch(`${hub.url}/readyz`)).status === 200, 60_000);
    for (const m of pending) {
      await waitFor(`${m.id as string} to be accepted again`, async () => (await post(hub.url, m, { token })).status === 202, 60_000);
      accepted.push(m.id as string);
    }
    await waitFor(`all ${N} messages delivered`, () => accepted.every((id) => receivedIds(recipient).includes(id)), 90_000);
    expect(new Set(receivedIds(recipient)).size).toBe(N);
  });
});

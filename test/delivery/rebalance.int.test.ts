import { describe, expect, it, onTestFinished } from 'vitest';
import type { Hub } from '../../src/hub.ts';
import { addAgencySystem, expectOrderPerSubject, FAST_RETRIES, receivedIds, type AgencySystem } from '../helpers/agencies.ts';
import { consuming, startTestHub, testConfig } from '../helpers/hub.ts';
import { documentSent, post, seedSenders } from '../helpers/messages.ts';
import { waitFor } from '../helpers/wait-for.ts';

const N = 300;

describe('rebalances', () => {
  it('deliver each (message, recipient) once when a second instance joins mid-stream and then leaves', { timeout: 240_000 }, async () => {
    // The stream is sent as fast as the hub answers, which can be above the default per-connector
    // rate limit (50 a second, 100 at once): that limit is not what this test is about.
    const config = testConfig({ LGSP_RETRY_TIERS: FAST_RETRIES.tiers, LGSP_RATE_LIMIT: '0' });
    const first = await startTestHub(config);
    onTestFinished(() => first.close());
    const token = (await seedSenders(first.url)).sender;
    const recipients: AgencySystem[] = [
      await addAgencySystem(first.url, 'qn-ha-long', '000.00.05.H49'),
      await addAgencySystem(first.url, 'qn-van-don', '000.00.09.H49'),
    ];
    onTestFinished(() => Promise.all(recipients.map((r) => r.sim.close())).then(() => undefined));
    // One recipient is slow but answers, so its batches are mid-flight when the group rebalances
    // (batches run in the background: kafkajs alone would not wait for them before rejoining).
    recipients[1]!.sim.faults.set({ kind: 'slow', delayMs: 40 });
    const arrived = (r: AgencySystem) => new Set(receivedIds(r)).size;

    const messages = Array.from({ length: N }, (_, i) => documentSent({ to: '000.00.05.H49,000.00.09.H49', subject: `rebalance-${i % 20}` }));
    const sending = (async () => {
      for (const m of messages) expect((await post(first.url, m, { token })).status).toBe(202);
    })();

    // A second instance joins (both groups rebalance: every member gives its partitions up and
    // gets a share back, batches in flight go stale), then leaves (they rebalance again).
    await waitFor('a third of the stream delivered', () => arrived(recipients[0]!) >= N / 3, 60_000);
    const second: Hub = await startTestHub(config);
    await waitFor('the second instance to deliver', () => consuming(second.url), 60_000);
    await waitFor('two thirds of the stream delivered', () => arrived(recipients[0]!) >= (2 * N) / 3, 60_000);
    await second.close();
    await sending;

    for (const r of recipients) await waitFor(`all ${N} messages at ${r.id}`, () => arrived(r) === N, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    // No crash here, so no crash window: every message was attempted once at each recipient.
    expect(recipients.map((r) => r.sim.attempts)).toEqual([N, N]);
    for (const r of recipients) expectOrderPerSubject(r, messages);
  });

  it('let deliveries in flight finish and commit before their partitions move to an instance that joins', { timeout: 120_000 }, async () => {
    const config = testConfig({ LGSP_RETRY_TIERS: FAST_RETRIES.tiers });
    const first = await startTestHub(config);
    onTestFinished(() => first.close());
    const token = (await seedSenders(first.url)).sender;
    // One recipient agency a delivery partition (0 to 5 of 6 with kafkajs's default partitioner),
    // each answering after a while: the joining instance takes half of them over.
    const agencies = ['000.00.00.G15', '000.00.00.H49', '000.00.00.G01', '000.00.09.H49', '000.01.09.H49', '000.00.00.G22'];
    const recipients: AgencySystem[] = [];
    for (const [i, agency] of agencies.entries())
      recipients.push(await addAgencySystem(first.url, `in-flight-${i}`, agency, { delivery: { timeoutMs: 10_000 } }));
    onTestFinished(() => Promise.all(recipients.map((r) => r.sim.close())).then(() => undefined));
    for (const r of recipients) r.sim.faults.set({ kind: 'slow', delayMs: 2_500 });

    const messages = agencies.flatMap((agency) => [0, 1].map((i) => documentSent({ to: agency, subject: `in-flight-${i}` })));
    for (const m of messages) expect((await post(first.url, m, { token })).status).toBe(202);
    await waitFor('every recipient answering both its deliveries', () => recipients.every((r) => r.sim.attempts === 2), 30_000);

    const second: Hub = await startTestHub(config);
    onTestFinished(() => second.close());
    await waitFor('the second instance to deliver', () => consuming(second.url), 60_000);
    for (const r of recipients) await waitFor(`both messages at ${r.id}`, () => r.sim.received().length === 2, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    // Without the fence, kafkajs rejoins at once and the new owners send them again.
    expect(recipients.map((r) => r.sim.attempts)).toEqual(agencies.map(() => 2));
  });
});

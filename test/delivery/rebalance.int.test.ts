import { describe, expect, it, onTestFinished } from 'vitest';
import type { Hub } from '../../src/hub.ts';
import { addAgencySystem, expectOrderPerSubject, FAST_RETRIES, receivedIds, type AgencySystem } from '../helpers/agencies.ts';
import { consuming, startTestHub, testConfig } from '../helpers/hub.ts';
import { documentSent, post, seedSenders } from '../helpers/messages.ts';
import { waitFor } from '../helpers/wait-for.ts';

const N = 300;

describe('rebalances', () => {
  it('deliver each (message, recipient) once when a second instance joins mid-stream and then leaves', { timeout: 240_000 }, async () => {
    const config = testConfig({ LGSP_RETRY_TIERS: FAST_RETRIES.tiers });
    const first = await startTestHub(config);
    onTestFinished(() => first.close());
    const token = (await seedSenders(first.url)).sender;
    const recipients: AgencySystem[] = [
      await addAgencySystem(first.url, 'qn-ha-long', '000.00.05.H49'),
      await addAgencySystem(first.url, 'qn-van-don', '000.00.09.H49'),
    ];
    onTestFinished(() => Promise.all(recipients.map((r) => r.sim.close())).then(() => undefined));
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
});

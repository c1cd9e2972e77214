import { describe, expect, it, onTestFinished } from 'vitest';
import { addAgencySystem, expectOrderPerSubject, FAST_RETRIES, type AgencySystem } from '../helpers/agencies.ts';
import { backgroundWork, consuming } from '../helpers/hub.ts';
import { startHubProcess } from '../helpers/hub-process.ts';
import { uniqueName } from '../helpers/kafka.ts';
import { documentSent, post, seedSenders } from '../helpers/messages.ts';
import { waitFor } from '../helpers/wait-for.ts';

const N = 300;

/** Posts like a real sender: a request that fails on the network is sent again (same id) until accepted. */
async function sendUntilAccepted(url: () => string, body: unknown, token: string): Promise<void> {
  for (;;) {
    const res = await post(url(), body, { token }).catch(() => undefined);
    if (res?.status === 202) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('crash safety', () => {
  it(
    'delivers all N messages to every recipient when the hub is killed (SIGKILL) mid-stream, duplicates only with the same Idempotency-Key',
    { timeout: 240_000 },
    async () => {
      const prefix = `${uniqueName('t')}.`;
      const env = { LGSP_RETRY_TIERS: FAST_RETRIES.tiers };
      let hub = await startHubProcess(prefix, env);
      const token = (await seedSenders(hub.url)).sender;
      const recipients: AgencySystem[] = [
        await addAgencySystem(hub.url, 'qn-ha-long', '000.00.05.H49'),
        await addAgencySystem(hub.url, 'qn-van-don', '000.00.09.H49'),
      ];
      onTestFinished(() => Promise.all(recipients.map((r) => r.sim.close())).then(() => undefined));

      const messages = Array.from({ length: N }, (_, i) => documentSent({ to: '000.00.05.H49,000.00.09.H49', subject: `crash-${i % 20}` }));
      const sending = (async () => {
        for (const m of messages) await sendUntilAccepted(() => hub.url, m, token);
      })();
      await waitFor('a third of the stream delivered', () => recipients[0]!.sim.received().length >= N / 3, 30_000);
      await hub.kill();
      const deliveredBeforeKill = recipients.map((r) => r.sim.received().length);
      const restarted = Date.now();
      hub = await startHubProcess(prefix, env);
      const readyAfterMs = Date.now() - restarted;
      // Ready (taking and routing messages) before delivery could join its group: the killed
      // instance is still a member until its session ends.
      expect((await backgroundWork(hub.url)).delivery).toMatch(/^joining consumer group/);
      await sending;
      await waitFor('the new hub to deliver', () => consuming(hub.url), 60_000);
      const consumingAfterMs = Date.now() - restarted;

      for (const r of recipients) {
        await waitFor(`all ${N} messages at ${r.id}`, () => new Set(r.sim.received().map((x) => x.event.id)).size === N, 60_000);
        // The simulator stores a repeated Idempotency-Key once; each message arrived under one key only.
        const keysPerMessage = new Map<string, Set<string>>();
        for (const { event, idempotencyKey } of r.sim.received()) keysPerMessage.set(event.id, (keysPerMessage.get(event.id) ?? new Set()).add(idempotencyKey));
        expect([...keysPerMessage.values()].every((keys) => keys.size === 1)).toBe(true);
        // Order per subject survived the crash.
        expectOrderPerSubject(r, messages);
      }
      console.log(
        `crash: killed after ${deliveredBeforeKill.join('/')} of ${N} deliveries; the new hub was ready after ${readyAfterMs} ms and consuming after ${consumingAfterMs} ms; all ${N} reached both recipients; attempts (with duplicates) ${recipients.map((r) => r.sim.attempts).join('/')}`,
      );
    },
  );
});

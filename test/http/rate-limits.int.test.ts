/**
 * Per-connector rate limits against a real hub: a connector whose manifest sets
 * `rateLimit: { perSecond: 2, burst: 3 }` gets its burst, then `429 rate-limited` with
 * `Retry-After` on every kind of request it makes, and nothing of a refused request is written;
 * other connectors go on; once the wait has passed it is served again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub.ts';
import { registerConnector, startTestHub } from '../helpers/hub.ts';
import { readTopic } from '../helpers/kafka.ts';
import { documentSent, post, seedSenders } from '../helpers/messages.ts';

describe('per-connector rate limits', () => {
  let hub: Hub;
  let other: string;
  let limited: string;

  beforeAll(async () => {
    hub = await startTestHub();
    other = (await seedSenders(hub.url)).sender;
    limited = await registerConnector(hub.url, { id: 'qn-stp-limited', agency: '000.00.15.H49', kind: 'webhook', rateLimit: { perSecond: 2, burst: 3 } });
  });
  afterAll(() => hub?.close());

  it('serves the burst, then refuses with 429 and Retry-After, writes nothing refused, spares other connectors, and serves again after the wait', async () => {
    const events = [documentSent(), documentSent(), documentSent(), documentSent()];
    // Sent together, so the bucket has no time to refill between them.
    const answers = await Promise.all(events.map((event) => post(hub.url, event, { token: limited })));
    expect(answers.map((r) => r.status).sort()).toEqual([202, 202, 202, 429]);
    const refused = answers.find((r) => r.status === 429)!;
    const refusedEvent = events[answers.indexOf(refused)]!;
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toMatchObject({
      type: 'https://lgsp-hub.dev/problems/rate-limited',
      status: 429,
      detail: expect.stringContaining("2 request(s) a second, 3 at once (its manifest's rateLimit)"),
    });

    // Every request counts, not only messages: a trace read is refused too.
    const accepted = (await answers.find((r) => r.status === 202)!.json()) as { accepted: { trace: string }[] };
    const trace = await fetch(`${hub.url}${accepted.accepted[0]!.trace}`, { headers: { authorization: `Bearer ${limited}` } });
    expect(trace.status).toBe(429);

    expect((await post(hub.url, documentSent(), { token: other })).status).toBe(202);
    const ingress = new Set((await readTopic(hub.topics.ingress)).map((r) => r.headers.ce_id));
    expect(events.map((e) => ingress.has(e.id as string))).toEqual(events.map((e) => e !== refusedEvent));
    expect(await hub.metrics.registry.getSingleMetricAsString('lgsp_rate_limited_total')).toContain('lgsp_rate_limited_total{connector="qn-stp-limited"} 2');

    await sleep(retryAfter * 1000);
    expect((await post(hub.url, refusedEvent, { token: limited })).status).toBe(202);
  });
});

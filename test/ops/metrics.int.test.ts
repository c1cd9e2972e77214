/**
 * `/metrics` after a scripted scenario (SPEC section 6): exact counter values, labels by connector
 * and type only (never a message id), and the consumer lag of the hub's groups.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub.ts';
import { addAgencySystem, FAST_RETRIES, receivedIds, type AgencySystem } from '../helpers/agencies.ts';
import { startTestHub, testConfig } from '../helpers/hub.ts';
import { documentSent, post, seedSenders } from '../helpers/messages.ts';
import { waitFor } from '../helpers/wait-for.ts';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition. */
function parseExposition(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

async function scrape(url: string): Promise<Sample[]> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  return parseExposition(await res.text());
}

/** The value of the one sample of `name` whose labels are exactly `labels`; undefined when there is none. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string>): number | undefined {
  const keys = Object.keys(labels).sort();
  const found = samples.filter((s) => s.name === name && Object.keys(s.labels).sort().join() === keys.join() && keys.every((k) => s.labels[k] === labels[k]));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value;
}

describe('/metrics after a scripted scenario', () => {
  const DOC = 'vn.gov.document.sent';
  let hub: Hub;
  let token: string;
  let healthy: AgencySystem;
  let refusing: AgencySystem;
  const messageIds: string[] = [];
  const hubIds: string[] = [];

  beforeAll(async () => {
    hub = await startTestHub(testConfig({ LGSP_RETRY_TIERS: FAST_RETRIES.tiers }));
    token = (await seedSenders(hub.url)).sender;
    healthy = await addAgencySystem(hub.url, 'qn-hong-gai', '000.02.05.H49');
    refusing = await addAgencySystem(hub.url, 'qn-quan-lan', '000.01.09.H49');
    refusing.sim.faults.set({ kind: 'reject', status: 422, body: { error: 'Thiếu số ký hiệu văn bản' }, times: 1 });

    // 3 accepted: two for the healthy system, one for both (the refusing system's copy becomes a dead letter).
    const documents = [
      documentSent({ to: healthy.agency }),
      documentSent({ to: healthy.agency }),
      documentSent({ to: `${refusing.agency},${healthy.agency}` }),
    ];
    for (const document of documents) {
      const res = await post(hub.url, document, { token });
      expect(res.status).toBe(202);
      const { accepted } = (await res.json()) as { accepted: { trace: string }[] };
      messageIds.push(document.id as string);
      hubIds.push(accepted[0]!.trace.split('/').pop()!);
    }
    // 1 duplicate (same source and id again) and 1 schema violation.
    expect((await post(hub.url, documents[0], { token })).status).toBe(202);
    const invalid = documentSent({ data: { ...(documentSent().data as object), otherInfo: { priority: 9 } } });
    messageIds.push(invalid.id as string);
    expect((await post(hub.url, invalid, { token })).status).toBe(422);

    await waitFor('the healthy system to have all three', () => documents.every((d) => receivedIds(healthy).includes(d.id as string)), 30_000);
    await waitFor(
      'the delivery counters and the dead-letter gauge to settle',
      async () => {
        const samples = await scrape(hub.url);
        return (
          valueOf(samples, 'lgsp_deliveries_total', { connector: healthy.id, outcome: 'delivered' }) === 3 &&
          valueOf(samples, 'lgsp_deliveries_total', { connector: refusing.id, outcome: 'refused' }) === 1 &&
          valueOf(samples, 'lgsp_dead_letters', { connector: refusing.id }) === 1
        );
      },
      30_000,
    );
  });
  afterAll(async () => {
    await Promise.all([healthy?.sim.close(), refusing?.sim.close()]);
    await hub?.close();
  });

  it('counts received messages, validation failures, deliveries, dead letters and HTTP requests exactly', async () => {
    const samples = await scrape(hub.url);
    const received = (outcome: string) => valueOf(samples, 'lgsp_messages_received_total', { type: DOC, source_level: 'unit', outcome });
    expect(received('accepted')).toBe(3);
    expect(received('duplicate')).toBe(1);
    expect(received('rejected')).toBe(1);
    expect(valueOf(samples, 'lgsp_validation_failures_total', { type: DOC })).toBe(1);

    const deliveries = (connector: string, outcome: string) => valueOf(samples, 'lgsp_deliveries_total', { connector, outcome });
    expect(deliveries(healthy.id, 'delivered')).toBe(3);
    expect(deliveries(refusing.id, 'refused')).toBe(1);
    expect(deliveries(refusing.id, 'delivered')).toBeUndefined();
    for (const outcome of ['retried', 'dead']) {
      expect(deliveries(healthy.id, outcome) ?? 0).toBe(0);
      expect(deliveries(refusing.id, outcome) ?? 0).toBe(0);
    }
    expect(valueOf(samples, 'lgsp_delivery_duration_seconds_count', { connector: healthy.id })).toBe(3);
    expect(valueOf(samples, 'lgsp_delivery_duration_seconds_bucket', { connector: healthy.id, le: '+Inf' })).toBe(3);
    expect(valueOf(samples, 'lgsp_delivery_duration_seconds_count', { connector: refusing.id })).toBeUndefined();

    expect(valueOf(samples, 'lgsp_dead_letters', { connector: refusing.id })).toBe(1);
    expect(valueOf(samples, 'lgsp_dead_letters', { connector: healthy.id }) ?? 0).toBe(0);
    // A refusal (4xx) is the destination's answer, not a failure: neither breaker opened.
    expect(valueOf(samples, 'lgsp_circuit_breaker_state', { connector: healthy.id })).toBe(0);
    expect(valueOf(samples, 'lgsp_circuit_breaker_state', { connector: refusing.id })).toBe(0);

    const http = (status: string) => valueOf(samples, 'lgsp_http_request_duration_seconds_count', { route: '/v1/messages', method: 'POST', status });
    expect(http('202')).toBe(4);
    expect(http('422')).toBe(1);
    expect(samples.some((s) => s.name === 'process_cpu_seconds_total')).toBe(true);
    expect(samples.some((s) => s.name === 'nodejs_eventloop_lag_p99_seconds')).toBe(true);
  });

  it('never uses a message id or a hub id as a label value', async () => {
    const samples = await scrape(hub.url);
    const values = new Set(samples.flatMap((s) => Object.values(s.labels)));
    expect(values.size).toBeGreaterThan(5);
    for (const value of values) {
      for (const id of [...messageIds, ...hubIds]) expect(value.includes(id), `label value "${value}" contains ${id}`).toBe(false);
    }
    // The label sets stay bounded: connectors, types, levels, outcomes, routes, topics and partitions.
    const labelNames = new Set(samples.filter((s) => s.name.startsWith('lgsp_')).flatMap((s) => Object.keys(s.labels)));
    expect([...labelNames].sort()).toEqual(expect.arrayContaining(['connector', 'outcome', 'type']));
    for (const name of labelNames)
      expect(['connector', 'le', 'method', 'outcome', 'partition', 'route', 'source_level', 'status', 'topic', 'type']).toContain(name);
  });

  it('shows the consumer lag of the delivery group per topic and partition', async () => {
    const samples = await scrape(hub.url);
    const lag = samples.filter((s) => s.name === 'lgsp_consumer_lag');
    const topics = [hub.topics.deliveries, ...hub.topics.retries];
    for (const topic of topics) {
      for (const partition of ['0', '1', '2']) {
        const value = valueOf(lag, 'lgsp_consumer_lag', { topic, partition });
        expect(value, `lgsp_consumer_lag{topic="${topic}",partition="${partition}"}`).toBeTypeOf('number');
        expect(value).toBeGreaterThanOrEqual(0);
      }
    }
    expect(new Set(lag.map((s) => s.labels.topic))).toEqual(new Set(topics));
  });
});

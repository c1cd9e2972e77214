import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub.ts';
import { testAdmin } from '../helpers/kafka.ts';
import { startTestHub } from '../helpers/hub.ts';

describe('a hub started against the broker', () => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.close());

  it('is live and ready once Kafka answers', async () => {
    expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${hub.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, checks: { kafka: 'ok' } });
  });

  it('created the topics of SPEC section 4, the registry compacted', async () => {
    const admin = await testAdmin();
    const existing = await admin.listTopics();
    const { registry, ingress, deliveries, retries, deadLetters, events } = hub.topics;
    expect(existing).toEqual(expect.arrayContaining([registry, ingress, deliveries, ...retries, deadLetters, events]));
    expect(retries.map((t) => t.split('.').pop())).toEqual(['5s', '1m', '10m']);
    const { resources } = await admin.describeConfigs({ resources: [{ type: 2, name: registry, configNames: ['cleanup.policy'] }], includeSynonyms: false });
    expect(resources[0]?.configEntries[0]?.configValue).toBe('compact');
  });

  it('serves Prometheus metrics, including the HTTP durations of the requests it answered', async () => {
    const res = await fetch(`${hub.url}/metrics`);
    const text = await res.text();
    expect(res.headers.get('content-type')).toContain('text/plain');
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toMatch(/lgsp_http_request_duration_seconds_count\{route="\/healthz",method="GET",status="200"\} 1/);
  });
});

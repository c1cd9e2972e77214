import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../../src/hub.ts';
import { plaintext } from '../../src/kafka/kafka-security.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { startPopulationDb, type PopulationDb } from '../../simulators/national/population-db.ts';
import { asOperator, importDemoAgencies, registerConnector, testConfig } from '../helpers/hub.ts';
import { startOwnBroker, type OwnBroker } from '../helpers/own-broker.ts';
import { waitFor } from '../helpers/wait-for.ts';

/** This file owns a broker of its own, because it stops it. */
describe('data-sharing calls while Kafka is down', () => {
  let broker: OwnBroker;
  let hub: Hub;
  let population: PopulationDb;
  let token: string;

  const lookup = () =>
    fetch(`${hub.url}/v1/services/population-lookup/citizens/022078004512`, {
      headers: { authorization: `Bearer ${token}`, 'x-lgsp-officer': 'CB-0042', 'x-lgsp-purpose': 'identity-check' },
    });

  beforeAll(async () => {
    broker = await startOwnBroker();
    const config = testConfig();
    hub = await startHub(config, plaintext(broker.current.brokers), createLogger(config));
    population = await startPopulationDb();
    await importDemoAgencies(hub.url);
    await registerConnector(hub.url, { id: 'national-population', agency: '000.00.00.G01', kind: 'webhook' });
    token = await registerConnector(hub.url, { id: 'halong-motcua', agency: '000.12.05.H49', kind: 'webhook' });
    const service = {
      id: 'population-lookup',
      provider: 'national-population',
      endpoint: population.url,
      title: 'Population database lookup',
      version: '1',
      classification: 'personal',
    };
    expect((await asOperator(hub.url, '/v1/services', { body: service })).status).toBe(201);
    expect(
      (await asOperator(hub.url, '/v1/services/population-lookup/grants', { body: { consumer: 'halong-motcua', purpose: 'identity-check' } })).status,
    ).toBe(201);
  }, 180_000);

  afterAll(async () => {
    await hub?.close();
    await population?.close();
    await broker?.stop();
  });

  it('answers no call it cannot record, stops asking the provider, and answers again once Kafka is back', { timeout: 180_000 }, async () => {
    expect((await lookup()).status).toBe(200);
    await broker.current.stop();

    // The first call may reach the provider before the log write fails; its answer is withheld.
    const started = Date.now();
    const first = await lookup();
    expect(first.status).toBe(503);
    expect(Number(first.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await first.json()).toMatchObject({ type: 'https://lgsp-hub.dev/problems/kafka-unavailable' });
    expect(Date.now() - started).toBeLessThan(15_000);

    // After a failed write the hub refuses before asking the provider.
    const asked = population.requests.length;
    const second = await lookup();
    expect(second.status).toBe(503);
    expect(population.requests.length).toBe(asked);

    await broker.restart();
    await waitFor('a call to be answered again', async () => (await lookup()).status === 200, 90_000);
  });
});

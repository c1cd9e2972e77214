/**
 * Data-sharing calls end to end: a real hub on the test broker, the simulated population database
 * (which checks the hub's signature with the kit's stock verifier), and consumers with and without
 * grants. Each answer of issue 14 is covered, and each call's record is read back from the
 * `service-calls` topic with a plain consumer, its chain verified by the hub.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signingKeyOf } from '../../connectors/kit/signature.ts';
import type { Hub } from '../../src/hub.ts';
import type { CallRecord } from '../../src/services/service-record.ts';
import { startPopulationDb, type PopulationDb } from '../../simulators/national/population-db.ts';
import { docsVerifier } from '../helpers/docs-verifier.ts';
import { asOperator, importDemoAgencies, registerConnector, startTestHub, testConfig } from '../helpers/hub.ts';
import { readTopic } from '../helpers/kafka.ts';
import { requestBytes, sendRaw } from '../helpers/raw-http.ts';
import { waitFor } from '../helpers/wait-for.ts';

const SERVICE = 'population-lookup';
/** Trần Văn Đức of the simulator's fixture. */
const CITIZEN = '022078004512';
const MAX_RESPONSE_BYTES = 64 * 1024;
const BREAKER = { volumeThreshold: 3, errorThresholdPercentage: 50, resetTimeoutMs: 1_500 };

const VERIFY_SCHEMA = {
  type: 'object',
  required: ['personalId', 'fullName', 'dateOfBirth'],
  additionalProperties: false,
  properties: {
    personalId: { type: 'string', pattern: '^\\d{12}$' },
    fullName: { type: 'string', minLength: 1 },
    dateOfBirth: { type: 'string', format: 'date' },
  },
};

describe('data-sharing calls through the hub', () => {
  let hub: Hub;
  let population: PopulationDb;
  const tokens: Record<string, string> = {};
  let expires = 0;

  const call = (
    consumer: string,
    path: string,
    init: { service?: string; method?: string; body?: string | Uint8Array<ArrayBuffer>; type?: string; officer?: string | null; purpose?: string | null } = {},
  ) =>
    fetch(`${hub.url}/v1/services/${init.service ?? SERVICE}/${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${tokens[consumer]}`,
        ...(init.officer === null ? {} : { 'x-lgsp-officer': init.officer ?? 'CB-0042' }),
        ...(init.purpose === null ? {} : { 'x-lgsp-purpose': init.purpose ?? 'identity-check' }),
        ...(init.body === undefined ? {} : { 'content-type': init.type ?? 'application/json' }),
      },
      ...(init.body === undefined ? {} : { body: init.body }),
    });

  const grant = async (body: Record<string, unknown>) => {
    const res = await asOperator(hub.url, `/v1/services/${SERVICE}/grants`, { body });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };

  beforeAll(async () => {
    hub = await startTestHub(testConfig({ LGSP_SERVICE_MAX_RESPONSE_BYTES: String(MAX_RESPONSE_BYTES) }));
    await importDemoAgencies(hub.url);
    const ministry = await asOperator(hub.url, '/v1/agencies/000.00.00.G01', {
      method: 'PUT',
      body: { code: '000.00.00.G01', name: 'Bộ Công an', level: 'central' },
    });
    expect(ministry.status).toBeLessThan(300);
    tokens.provider = await registerConnector(hub.url, {
      id: 'bca-population',
      agency: '000.00.00.G01',
      kind: 'webhook',
      delivery: { breaker: BREAKER, signatureVersions: ['v2'] },
    });
    population = await startPopulationDb({ signingKey: signingKeyOf(tokens.provider), verify: 'v2' });
    // Rate limits are the connector's, not the subject here.
    for (const id of ['halong-motcua', 'baichay-motcua', 'quanlan-motcua', 'hongai-motcua']) {
      tokens[id] = await registerConnector(hub.url, { id, agency: '000.12.05.H49', kind: 'webhook', rateLimit: { perSecond: 1000 } });
    }
    const service = await asOperator(hub.url, '/v1/services', {
      body: {
        id: SERVICE,
        provider: 'bca-population',
        endpoint: population.url,
        title: 'Tra cứu thông tin công dân (population database lookup)',
        version: '1.0.0',
        classification: 'personal',
        request: VERIFY_SCHEMA,
        timeoutMs: 500,
      },
    });
    expect(service.status).toBe(201);
    await grant({ consumer: 'halong-motcua', purpose: 'identity-check' });
    await grant({ consumer: 'quanlan-motcua', purpose: 'identity-check', quota: 2 });
    expires = Date.now() + 1_000;
    await grant({ consumer: 'hongai-motcua', purpose: 'identity-check', expires: new Date(expires).toISOString() });
  }, 120_000);

  afterAll(async () => {
    await hub?.close();
    await population?.close();
  });

  /** Every record of the call log topic, read by a plain consumer (not the hub's view). */
  async function logged(): Promise<CallRecord[]> {
    return (await readTopic(hub.topics.serviceCalls)).map((r) => JSON.parse(r.value!) as CallRecord);
  }

  async function recordOf(res: Response): Promise<CallRecord> {
    const id = res.headers.get('x-lgsp-call-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    // Written before the answer: the first read already holds it.
    const record = (await logged()).find((r) => r.id === id);
    expect(record).toBeDefined();
    return record!;
  }

  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

  it('passes a granted call to the provider, signed, and answers with what the purpose allows', async () => {
    const before = population.requests.length;
    const res = await call('halong-motcua', `citizens/${CITIZEN}?note=a%20b`);
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(JSON.parse(text)).toEqual({ personalId: CITIZEN, fullName: 'Trần Văn Đức' });
    const seen = population.requests.slice(before);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe(`/citizens/${CITIZEN}?note=a%20b`);
    expect(seen[0]!.headers).toMatchObject({
      'x-lgsp-officer': 'CB-0042',
      'x-lgsp-purpose': 'identity-check',
      'x-lgsp-consumer': 'halong-motcua',
      'x-lgsp-consumer-agency': '000.12.05.H49',
      'x-lgsp-call-id': res.headers.get('x-lgsp-call-id'),
    });
    expect(seen[0]!.headers.authorization).toBeUndefined();

    const record = await recordOf(res);
    expect(record).toMatchObject({
      service: SERVICE,
      provider: 'bca-population',
      consumer: 'halong-motcua',
      consumerAgency: '000.12.05.H49',
      officer: 'CB-0042',
      purpose: 'identity-check',
      method: 'GET',
      path: `/citizens/${CITIZEN}?note=a%20b`,
      status: 200,
      providerStatus: 200,
      outcome: 'answered',
      requestBytes: 0,
      responseBytes: Buffer.byteLength(text),
      requestSha256: sha256(''),
      responseSha256: sha256(text),
    });
    expect(record.grant).toMatch(/^[0-9a-f-]{36}$/);
    expect(record.responseBody).toBeUndefined(); // logBodies is off
  });

  it('signs each call so that the plain-Node verifier of docs/webhooks.md accepts it, and no longer once its purpose changed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lgsp-calls-'));
    try {
      const verify = await docsVerifier(dir);
      expect((await call('halong-motcua', `citizens/${CITIZEN}`)).status).toBe(200);
      const seen = population.requests.at(-1)!;
      expect(verify(seen.headers, seen.body, tokens.provider!)).toBe(true);
      expect(verify({ ...seen.headers, 'x-lgsp-purpose': 'social-assistance' }, seen.body, tokens.provider!)).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps both bodies, base64, in the record of a service that logs them', async () => {
    const logging = 'population-verify-logged';
    const registered = await asOperator(hub.url, '/v1/services', {
      body: {
        id: logging,
        provider: 'bca-population',
        endpoint: population.url,
        title: 'Xác minh thông tin công dân (verification, bodies kept)',
        version: '1.0.0',
        classification: 'personal',
        logBodies: true,
      },
    });
    expect(registered.status).toBe(201);
    const granted = await asOperator(hub.url, `/v1/services/${logging}/grants`, { body: { consumer: 'halong-motcua', purpose: 'identity-check' } });
    expect(granted.status).toBe(201);
    const sent = JSON.stringify({ personalId: CITIZEN, fullName: 'Trần Văn Đức', dateOfBirth: '1978-03-14' });
    const res = await call('halong-motcua', 'citizens:verify', { service: logging, method: 'POST', body: sent });
    expect(res.status).toBe(200);
    const answer = await res.text();
    const record = await recordOf(res);
    expect(record).toMatchObject({ service: logging, requestSha256: sha256(sent), responseSha256: sha256(answer) });
    expect(Buffer.from(record.requestBody!, 'base64').toString('utf8')).toBe(sent);
    expect(Buffer.from(record.responseBody!, 'base64').toString('utf8')).toBe(answer);
  });

  it('passes the provider’s own refusals on with their status', async () => {
    const res = await call('halong-motcua', 'citizens/000000000000');
    expect(res.status).toBe(404);
    expect((await recordOf(res)).outcome).toBe('answered');
  });

  it('refuses a consumer without a grant, or with another purpose, before the provider is asked', async () => {
    const before = population.requests.length;
    const ungranted = await call('baichay-motcua', `citizens/${CITIZEN}`);
    expect(ungranted.status).toBe(403);
    expect(await ungranted.json()).toMatchObject({ type: 'https://lgsp-hub.dev/problems/service-not-granted' });
    expect(await recordOf(ungranted)).toMatchObject({ consumer: 'baichay-motcua', status: 403, outcome: 'not-granted' });

    const otherPurpose = await call('halong-motcua', `citizens/${CITIZEN}`, { purpose: 'social-assistance' });
    expect(otherPurpose.status).toBe(403);
    expect(((await otherPurpose.json()) as { detail: string }).detail).toContain('identity-check');
    expect(population.requests.length).toBe(before);
  });

  it('never lets a path leave the service: dot segments, HEAD and the hub’s own sub-paths are refused', async () => {
    const before = population.requests.length;
    // Sent as raw bytes: fetch would resolve the dot segments before the hub saw them.
    for (const path of ['../../admin', '%2e%2e/%2E%2E/admin', 'citizens/%2e%2e/%2e%2e/x', './citizens', 'citizens/.']) {
      const target = `/v1/services/${SERVICE}/${path}`;
      const headers = [
        ['authorization', `Bearer ${tokens['halong-motcua']}`],
        ['x-lgsp-officer', 'CB-0042'],
        ['x-lgsp-purpose', 'identity-check'],
      ] as const;
      const res = await sendRaw(hub.url, requestBytes({ method: 'GET', target, headers }, new URL(hub.url).host));
      expect(res.status, path).toBe(404);
    }
    expect(
      (
        await fetch(`${hub.url}/v1/services/${SERVICE}/citizens/${CITIZEN}`, {
          method: 'HEAD',
          headers: { authorization: `Bearer ${tokens['halong-motcua']}` },
        })
      ).status,
    ).toBe(404);
    expect((await call('halong-motcua', 'Calls', { method: 'POST', body: '{}' })).status).toBe(404);
    expect(population.requests.length).toBe(before);
    // What the provider verified: the signed request line names the path it received.
    const res = await call('halong-motcua', `citizens/${CITIZEN}`);
    expect(res.status).toBe(200);
    expect(population.requests.at(-1)!.headers['x-lgsp-request']).toBe(`GET /citizens/${CITIZEN}`);
  });

  it('refuses a grant that has expired', async () => {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expires - Date.now() + 50)));
    const res = await call('hongai-motcua', `citizens/${CITIZEN}`);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/expired/);
    expect((await recordOf(res)).outcome).toBe('not-granted');
  });

  it('answers 429 with Retry-After over the grant’s quota', async () => {
    expect((await call('quanlan-motcua', `citizens/${CITIZEN}`)).status).toBe(200);
    expect((await call('quanlan-motcua', `citizens/${CITIZEN}`)).status).toBe(200);
    const over = await call('quanlan-motcua', `citizens/${CITIZEN}`);
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await over.json()).toMatchObject({ type: 'https://lgsp-hub.dev/problems/service-quota-exceeded' });
    expect((await recordOf(over)).outcome).toBe('over-quota');
  });

  it('checks the request against the service’s schema, and asks for the officer and the purpose', async () => {
    const good = JSON.stringify({ personalId: CITIZEN, fullName: 'trần văn đức', dateOfBirth: '1978-03-14' });
    const verified = await call('halong-motcua', 'citizens:verify', { method: 'POST', body: good });
    expect(verified.status).toBe(200);
    expect(await verified.json()).toMatchObject({ match: true, fullName: 'match', dateOfBirth: 'match' });
    expect(await recordOf(verified)).toMatchObject({ method: 'POST', requestBytes: Buffer.byteLength(good), requestSha256: sha256(good) });

    const before = population.requests.length;
    const bad = await call('halong-motcua', 'citizens:verify', { method: 'POST', body: JSON.stringify({ personalId: '12', fullName: 'X' }) });
    expect(bad.status).toBe(422);
    const problem = (await bad.json()) as { errors: { path: string }[] };
    expect(problem.errors.map((e) => e.path)).toEqual(expect.arrayContaining(['/personalId']));
    expect((await recordOf(bad)).outcome).toBe('bad-request');

    expect((await call('halong-motcua', 'citizens:verify', { method: 'POST', body: '{"personalId":' })).status).toBe(400);
    // Read as every JSON body of the hub: its depth checked before ajv recurses, its bytes valid UTF-8.
    const deep = await call('halong-motcua', 'citizens:verify', { method: 'POST', body: `${'['.repeat(100)}${']'.repeat(100)}` });
    expect(deep.status).toBe(413);
    expect(await deep.json()).toMatchObject({ type: 'https://lgsp-hub.dev/problems/body-too-deep' });
    expect((await recordOf(deep)).outcome).toBe('bad-request');
    const latin1 = await call('halong-motcua', 'citizens:verify', { method: 'POST', body: Buffer.from('{"fullName":"Tr\xe2n"}', 'latin1') });
    expect(latin1.status).toBe(400);
    expect(await latin1.json()).toMatchObject({ type: 'https://lgsp-hub.dev/problems/malformed-body' });
    expect((await recordOf(latin1)).outcome).toBe('bad-request');
    const anonymous = await call('halong-motcua', `citizens/${CITIZEN}`, { officer: null });
    expect(anonymous.status).toBe(422);
    expect(((await anonymous.json()) as { errors: { path: string }[] }).errors[0]!.path).toBe('/headers/x-lgsp-officer');
    expect(population.requests.length).toBe(before);
  });

  it('answers 504 when the provider is slow, and 502 when its answer is too large', async () => {
    population.faults.set({ kind: 'slow', delayMs: 2_000, times: 1 });
    const started = Date.now();
    const slow = await call('halong-motcua', `citizens/${CITIZEN}`);
    expect(slow.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect((await recordOf(slow)).outcome).toBe('provider-timeout');

    population.faults.set({ kind: 'oversize', bytes: MAX_RESPONSE_BYTES * 4, times: 1 });
    const large = await call('halong-motcua', `citizens/${CITIZEN}`);
    expect(large.status).toBe(502);
    expect(await large.json()).toMatchObject({ type: 'https://lgsp-hub.dev/problems/provider-answer-too-large' });
    expect((await recordOf(large)).outcome).toBe('answer-too-large');
  });

  it('opens the provider’s breaker when it is down, and closes it by itself once it is back', async () => {
    await population.close();
    const down = await call('halong-motcua', `citizens/${CITIZEN}`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ type: 'https://lgsp-hub.dev/problems/provider-unavailable' });
    const open = await waitFor('the breaker to open', async () => {
      const res = await call('halong-motcua', `citizens/${CITIZEN}`);
      const body = (await res.json()) as { detail: string };
      return /circuit breaker is open/.test(body.detail) && res;
    });
    expect(Number(open.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await recordOf(open)).outcome).toBe('provider-unavailable');
    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    expect(metrics).toContain('lgsp_service_provider_breaker_state{provider="bca-population"} 2');

    await population.restart();
    const before = population.requests.length;
    const recovered = await waitFor(
      'the breaker to let a call through again',
      async () => {
        const res = await call('halong-motcua', `citizens/${CITIZEN}`);
        return res.status === 200 && res;
      },
      10_000,
    );
    expect(await recovered.json()).toMatchObject({ fullName: 'Trần Văn Đức' });
    expect(population.requests.length).toBe(before + 1); // the half-open trial, nothing queued behind it
    expect(await (await fetch(`${hub.url}/metrics`)).text()).toContain('lgsp_service_provider_breaker_state{provider="bca-population"} 0');
  });

  it('counts calls by outcome and keeps a call log whose chain verifies', async () => {
    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    expect(metrics).toMatch(/lgsp_service_calls_total\{service="population-lookup",consumer="halong-motcua",outcome="answered"\} \d+/);
    expect(metrics).toMatch(/lgsp_service_calls_total\{service="population-lookup",consumer="baichay-motcua",outcome="not-granted"\} 1/);
    expect(metrics).toContain('lgsp_service_call_duration_seconds_bucket{le="0.005",service="population-lookup"}');

    const records = await logged();
    expect(new Set(records.map((r) => r.id)).size).toBe(records.length);
    const report = await asOperator(hub.url, '/v1/audit:verify?topic=service-calls');
    expect(report.status).toBe(200);
    expect(await report.json()).toMatchObject({ ok: true, records: records.length, broken: [] });
  });

  it('retires a deregistered provider’s lane: its breaker leaves /metrics and calls are refused, recorded', async () => {
    expect((await call('halong-motcua', `citizens/${CITIZEN}`)).status).toBe(200);
    expect(await (await fetch(`${hub.url}/metrics`)).text()).toContain('lgsp_service_provider_breaker_state{provider="bca-population"} 0');
    expect((await asOperator(hub.url, '/v1/connectors/bca-population', { method: 'DELETE' })).status).toBe(204);
    expect(await (await fetch(`${hub.url}/metrics`)).text()).not.toContain('lgsp_service_provider_breaker_state{provider="bca-population"}');
    const refused = await call('halong-motcua', `citizens/${CITIZEN}`);
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { detail: string }).detail).toContain('"bca-population" of "population-lookup" is not registered');
    expect((await recordOf(refused)).outcome).toBe('provider-unavailable');
  });
});

/**
 * The call log as operators and connectors read it, on the real broker: calls of a civil-status
 * lookup ("tra cứu hộ tịch") offered by Sở Tư pháp's system are written to a hub's
 * `service-calls` topic by the hub's own call log writer and hash chain, as a call would write
 * them. `GET /v1/services/{id}/calls` shows them all to an operator and to the provider, to a
 * commune's one-stop system only its own, and nothing to a connector that made none;
 * `GET /v1/service-calls/{callId}` follows the same rules. `GET /v1/audit:verify?topic=service-calls`
 * (and `lgsp audit verify`) finds the chain whole, then names a call record appended by a plain
 * producer, around the hub.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADER } from '../../src/contract/kafka-headers.ts';
import type { Hub } from '../../src/hub.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { CallLog } from '../../src/services/call-log.ts';
import type { CallRecord } from '../../src/services/service-record.ts';
import type { ChainReport } from '../../src/tracking/chain-verify.ts';
import { lgsp } from '../cli/run-lgsp.ts';
import { asOperator, importDemoAgencies, registerConnector, startTestHub } from '../helpers/hub.ts';
import { readTopic, testKafka } from '../helpers/kafka.ts';
import { waitFor } from '../helpers/wait-for.ts';

const SERVICE = 'civil-status-lookup';
const PROVIDER = { id: 'qn-stp-hotich', agency: '000.00.15.H49' };
const BAI_CHAY = { id: 'qn-baichay-motcua', agency: '000.01.05.H49' };
const HONG_GAI = { id: 'qn-honggai-motcua', agency: '000.02.05.H49' };
const OUTSIDER = { id: 'qn-syt-eoffice', agency: '000.00.16.H49' };
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const silent = createLogger({ logLevel: 'silent', logPretty: false });

/** A call at 09:00:<second> on 2 March 2026, of `SERVICE` by `consumer`. */
function call(second: number, consumer: { id: string; agency: string }, overrides: Partial<CallRecord> = {}): CallRecord {
  return {
    id: randomUUID(),
    time: `2026-03-02T09:00:0${second}.000Z`,
    service: SERVICE,
    serviceVersion: '1.0.0',
    provider: PROVIDER.id,
    consumer: consumer.id,
    consumerAgency: consumer.agency,
    officer: 'CB-000123',
    purpose: 'identity-check',
    grant: 'grant-1',
    method: 'GET',
    path: '/birth-records/001203004567',
    status: 200,
    outcome: 'answered',
    providerStatus: 200,
    latencyMs: 14,
    requestBytes: 0,
    responseBytes: 120,
    requestSha256: EMPTY_SHA256,
    responseSha256: EMPTY_SHA256,
    ...overrides,
  };
}

const CALLS = {
  baiChayAnswered: call(1, BAI_CHAY),
  baiChayRefused: call(2, BAI_CHAY, { purpose: 'dossier-intake', grant: undefined, status: 403, outcome: 'not-granted', providerStatus: undefined }),
  hongGaiAnswered: call(3, HONG_GAI, { officer: 'CB-000777' }),
  hongGaiTimedOut: call(4, HONG_GAI, { status: 504, outcome: 'provider-timeout', providerStatus: undefined }),
  /** A call of a service since deleted from the catalogue. */
  retired: call(5, BAI_CHAY, { service: 'retired-lookup' }),
};

/** Registers `SERVICE` in the catalogue (`POST /v1/services`). */
async function registerService(hub: Hub): Promise<void> {
  const res = await asOperator(hub.url, '/v1/services', {
    body: {
      id: SERVICE,
      provider: PROVIDER.id,
      endpoint: 'http://127.0.0.1:9/hotich',
      title: 'Tra cứu hộ tịch (civil status lookup)',
      version: '1.0.0',
      classification: 'personal',
    },
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

describe('the call log of a data-sharing service', () => {
  let hub: Hub;
  const tokens: Record<string, string> = {};

  const asConnector = (id: string, path: string) => fetch(`${hub.url}${path}`, { headers: { authorization: `Bearer ${tokens[id]}` } });
  const listed = async (res: Response) => {
    expect(res.status, await res.clone().text()).toBe(200);
    return ((await res.json()) as { calls: CallRecord[] }).calls.map((c) => c.id);
  };
  const verify = async () => {
    const res = await asOperator(hub.url, '/v1/audit:verify?topic=service-calls');
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as ChainReport;
  };

  beforeAll(async () => {
    hub = await startTestHub();
    await importDemoAgencies(hub.url);
    for (const c of [PROVIDER, BAI_CHAY, HONG_GAI, OUTSIDER]) tokens[c.id] = await registerConnector(hub.url, { ...c, kind: 'webhook' });
    await registerService(hub);
    const log = new CallLog(testKafka(), hub.topics.serviceCalls, silent, hub.auditChain);
    await log.connect();
    try {
      for (const record of Object.values(CALLS)) await log.record(record);
    } finally {
      await log.close();
    }
    // Written by another client than the hub's own call log: the hub's follower reads them, as another instance's.
    await waitFor('the calls in the hub’s view', async () => (await listed(await asOperator(hub.url, `/v1/services/${SERVICE}/calls`))).length === 4);
  });
  afterAll(() => hub?.close());

  it('writes each record keyed by its service, with the chain headers', async () => {
    const records = await readTopic(hub.topics.serviceCalls);
    expect(records.map((r) => r.key).sort()).toEqual([...Array(4).fill(SERVICE), 'retired-lookup'].sort());
    for (const r of records) expect(Object.keys(r.headers)).toEqual(expect.arrayContaining([HEADER.chain, HEADER.chainSeq, HEADER.chainPrev]));
    expect(records.some((r) => r.headers[HEADER.chainSignature])).toBe(true);
  });

  it('shows every call to an operator and to the provider, newest first', async () => {
    const all = [CALLS.hongGaiTimedOut, CALLS.hongGaiAnswered, CALLS.baiChayRefused, CALLS.baiChayAnswered].map((c) => c.id);
    expect(await listed(await asOperator(hub.url, `/v1/services/${SERVICE}/calls`))).toEqual(all);
    expect(await listed(await asConnector(PROVIDER.id, `/v1/services/${SERVICE}/calls`))).toEqual(all);
    const res = await asOperator(hub.url, `/v1/services/${SERVICE}/calls?limit=1`);
    expect((await res.json()) as unknown).toEqual({ calls: [CALLS.hongGaiTimedOut] });
  });

  it('shows a consumer only its own calls, and a connector that made none nothing', async () => {
    expect(await listed(await asConnector(BAI_CHAY.id, `/v1/services/${SERVICE}/calls`))).toEqual([CALLS.baiChayRefused.id, CALLS.baiChayAnswered.id]);
    expect(await listed(await asConnector(BAI_CHAY.id, `/v1/services/${SERVICE}/calls?consumer=${HONG_GAI.id}`))).toEqual([]);
    expect(await listed(await asConnector(BAI_CHAY.id, `/v1/services/${SERVICE}/calls?consumerAgency=${HONG_GAI.agency}`))).toEqual([]);
    expect(await listed(await asConnector(OUTSIDER.id, `/v1/services/${SERVICE}/calls`))).toEqual([]);
    expect((await fetch(`${hub.url}/v1/services/${SERVICE}/calls`)).status).toBe(401);
  });

  it('filters by consumer, agency, officer, purpose, outcome, status and time', async () => {
    const ids = async (query: string) => listed(await asOperator(hub.url, `/v1/services/${SERVICE}/calls?${query}`));
    expect(await ids(`consumer=${BAI_CHAY.id}&status=200`)).toEqual([CALLS.baiChayAnswered.id]);
    expect(await ids(`consumerAgency=${HONG_GAI.agency}`)).toEqual([CALLS.hongGaiTimedOut.id, CALLS.hongGaiAnswered.id]);
    expect(await ids('officer=CB-000777')).toEqual([CALLS.hongGaiAnswered.id]);
    expect(await ids('purpose=dossier-intake')).toEqual([CALLS.baiChayRefused.id]);
    expect(await ids('outcome=provider-timeout')).toEqual([CALLS.hongGaiTimedOut.id]);
    expect(await ids('status=403')).toEqual([CALLS.baiChayRefused.id]);
    // 16:00:02 in Hanoi (UTC+7) is 09:00:02 UTC: `since` is inclusive, `until` exclusive.
    expect(await ids(`since=${encodeURIComponent('2026-03-02T16:00:02+07:00')}&until=2026-03-02T09:00:04Z`)).toEqual([
      CALLS.hongGaiAnswered.id,
      CALLS.baiChayRefused.id,
    ]);
    expect((await asOperator(hub.url, `/v1/services/${SERVICE}/calls?outcome=lost`)).status).toBe(422);
    expect((await asOperator(hub.url, `/v1/services/${SERVICE}/calls?limit=1001`)).status).toBe(422);
  });

  it('answers 404 for a service not in the catalogue, except to an operator for one that has calls', async () => {
    expect((await asOperator(hub.url, '/v1/services/no-such-service/calls')).status).toBe(404);
    expect(await listed(await asOperator(hub.url, '/v1/services/retired-lookup/calls'))).toEqual([CALLS.retired.id]);
    expect((await asConnector(BAI_CHAY.id, '/v1/services/retired-lookup/calls')).status).toBe(404);
  });

  it('shows one call by its id to an operator, the provider and its consumer, and 404 to anyone else', async () => {
    const path = `/v1/service-calls/${CALLS.hongGaiAnswered.id}`;
    expect((await (await asOperator(hub.url, path)).json()) as unknown).toEqual(CALLS.hongGaiAnswered);
    expect((await asConnector(PROVIDER.id, path)).status).toBe(200);
    expect((await asConnector(HONG_GAI.id, path)).status).toBe(200);
    expect((await asConnector(BAI_CHAY.id, path)).status).toBe(404);
    expect((await asConnector(OUTSIDER.id, path)).status).toBe(404);
    expect((await asOperator(hub.url, `/v1/service-calls/${randomUUID()}`)).status).toBe(404);
  });

  it('verifies the chain of the call log, then names a call record appended around the hub', async () => {
    expect(await verify()).toMatchObject({ topic: hub.topics.serviceCalls, ok: true, records: 5, unchained: 0, broken: [] });
    expect(await lgsp(hub.url, ['audit', 'verify', '--topic', 'service-calls'])).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/: every chain holds/),
    });

    // Someone with write access to the topic adds a lookup that never happened, without the hub's chain.
    const [chained] = (await readTopic(hub.topics.serviceCalls)).filter((r) => r.key === SERVICE);
    const forged = call(6, OUTSIDER, { officer: 'CB-999999' });
    const producer = testKafka().producer();
    await producer.connect();
    const [meta] = await producer
      .send({ topic: hub.topics.serviceCalls, acks: -1, messages: [{ key: SERVICE, value: JSON.stringify(forged), partition: chained!.partition }] })
      .finally(() => producer.disconnect());
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(report.broken).toEqual([
      expect.objectContaining({ partition: chained!.partition, offset: meta!.baseOffset, reason: expect.stringMatching(/without chain headers/) }),
    ]);
    const cli = await lgsp(hub.url, ['audit', 'verify', '--topic', 'service-calls']);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(`partition ${chained!.partition} offset ${meta!.baseOffset}`);
  });
});

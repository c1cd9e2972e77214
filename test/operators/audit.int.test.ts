/**
 * The operators' audit trail against the test broker and real HTTP: every change an operator
 * makes, every refusal (403) and every failed sign-in on an operator route with an operator's token (401) is a record of
 * `<prefix>audit`, keyed by the operator, written before the answer, without tokens or secrets;
 * `GET /v1/audit` shows them newest first, filtered, to any role, at every instance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub.ts';
import type { AuditEntry } from '../../src/operators/audit-entry.ts';
import { asOperator, importDemoAgencies, startTestHub, testConfig, TEST_ADMIN_TOKEN } from '../helpers/hub.ts';
import { readTopicUntil } from '../helpers/kafka.ts';
import { as, createOperator } from '../helpers/operators.ts';
import { waitFor } from '../helpers/wait-for.ts';

const SECRET = 'mat-khau-cua-cong-dvcqg';
const DVCQG = {
  id: 'qn-dvcqg',
  agency: '000.00.00.H49',
  kind: 'dvcqg',
  settings: { adapterUrl: 'http://127.0.0.1:9/', username: 'qn', password: SECRET, dstcode: 'H49', madonvi: 'H49' },
};

describe('the audit trail', () => {
  const prefix = testConfig().topicPrefix;
  let hub: Hub;
  let viewer: string;
  let operator: string;
  let start: string;

  const audit = async (query = '', token = viewer) => {
    const res = await as(token, hub.url, `/v1/audit${query}`);
    expect(res.status, await res.clone().text()).toBe(200);
    return ((await res.json()) as { entries: AuditEntry[] }).entries;
  };

  beforeAll(async () => {
    hub = await startTestHub(testConfig({ LGSP_TOPIC_PREFIX: prefix }));
    start = new Date().toISOString();
    await importDemoAgencies(hub.url);
    viewer = await createOperator(hub.url, 'lan', 'viewer');
    operator = await createOperator(hub.url, 'minh', 'operator');
  });
  afterAll(() => hub?.close());

  it('records who did what, with what outcome, and refusals, newest first', async () => {
    expect((await as(viewer, hub.url, '/v1/connectors', { body: DVCQG })).status).toBe(403);
    expect((await as(operator, hub.url, '/v1/connectors', { body: DVCQG })).status).toBe(201);
    expect((await as(operator, hub.url, '/v1/connectors', { body: DVCQG })).status).toBe(409);
    expect((await as(operator, hub.url, '/v1/connectors/qn-dvcqg:rotate', { method: 'POST' })).status).toBe(200);
    expect((await as(operator, hub.url, '/v1/dead-letters:replay', { body: { connector: 'qn-dvcqg' } })).status).toBe(200);
    expect((await as(operator, hub.url, '/v1/operators', { body: { name: 'tuan', role: 'admin' } })).status).toBe(403);
    expect((await as('anonymous-noise-0123456789', hub.url, '/v1/connectors/qn-dvcqg', { method: 'DELETE' })).status, 'not recorded').toBe(401);
    expect((await as('lgsp-op.minh.a-guessed-secret', hub.url, '/v1/connectors/qn-dvcqg', { method: 'DELETE' })).status).toBe(401);
    expect((await as(operator, hub.url, '/v1/connectors')).status, 'a read').toBe(200);

    const entries = await audit();
    const shown = entries.map(({ operator: who, claimed, role, action, params, body, outcome, problem }) => ({
      who: who ?? `claimed ${claimed}`,
      role,
      action,
      params,
      body,
      outcome,
      problem,
    }));
    expect(shown.slice(0, 7)).toEqual([
      { who: 'claimed minh', action: 'DELETE /v1/connectors/{id}', params: { id: 'qn-dvcqg' }, outcome: 401, problem: 'unauthenticated' },
      { who: 'minh', role: 'operator', action: 'POST /v1/operators', outcome: 403, problem: 'forbidden' },
      { who: 'minh', role: 'operator', action: 'POST /v1/dead-letters:replay', body: { connector: 'qn-dvcqg' }, outcome: 200 },
      { who: 'minh', role: 'operator', action: 'POST /v1/connectors/{id}:rotate', params: { id: 'qn-dvcqg' }, outcome: 200 },
      {
        who: 'minh',
        role: 'operator',
        action: 'POST /v1/connectors',
        body: { id: 'qn-dvcqg', agency: '000.00.00.H49', kind: 'dvcqg' },
        outcome: 409,
        problem: 'conflict',
      },
      { who: 'minh', role: 'operator', action: 'POST /v1/connectors', body: { id: 'qn-dvcqg', agency: '000.00.00.H49', kind: 'dvcqg' }, outcome: 201 },
      // Refused for its role before its body was read.
      { who: 'lan', role: 'viewer', action: 'POST /v1/connectors', outcome: 403, problem: 'forbidden' },
    ]);
    // The admin's own actions before them: creating both operators, importing the directory, and the bootstrap.
    expect(shown.slice(7).map((e) => `${e.who} ${e.action} ${e.outcome}`)).toEqual([
      'admin POST /v1/operators 201',
      'admin POST /v1/operators 201',
      'admin POST /v1/agencies:import 200',
      'admin bootstrap 201',
    ]);
    expect(entries.every((e) => typeof e.id === 'string' && !Number.isNaN(Date.parse(e.time)))).toBe(true);
    expect(entries.map((e) => e.time)).toEqual(
      entries
        .map((e) => e.time)
        .sort()
        .reverse(),
    );
    const text = JSON.stringify(entries);
    for (const secret of [SECRET, TEST_ADMIN_TOKEN, viewer, operator, 'a-guessed-secret']) expect(text).not.toContain(secret);
  });

  it('filters by operator, action and time, and limits', async () => {
    expect(new Set((await audit('?operator=minh')).map((e) => e.operator ?? e.claimed))).toEqual(new Set(['minh']));
    const rotations = await audit('?action=:rotate');
    expect(rotations.map((e) => e.action)).toEqual(['POST /v1/connectors/{id}:rotate']);
    expect(await audit('?limit=2')).toHaveLength(2);
    expect(await audit(`?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toEqual([]);
    expect((await audit(`?since=${encodeURIComponent(start)}`)).length).toBeGreaterThan(5);
    const bad = await as(viewer, hub.url, '/v1/audit?since=yesterday&limit=0');
    expect(bad.status).toBe(422);
    expect((await fetch(`${hub.url}/v1/audit`)).status).toBe(401);
  });

  it('is written to the audit topic, keyed by the operator, before the answer', async () => {
    const res = await as(operator, hub.url, '/v1/connectors/qn-dvcqg', { method: 'DELETE' });
    expect(res.status).toBe(204);
    const records = await readTopicUntil(`${prefix}audit`, (rs) => rs.some((r) => r.value?.includes('DELETE /v1/connectors/{id}') && r.key === 'minh'));
    const deleted = records.map((r) => ({ key: r.key, entry: JSON.parse(r.value!) as AuditEntry })).find((r) => r.entry.outcome === 204)!;
    expect(deleted).toMatchObject({
      key: 'minh',
      entry: { operator: 'minh', role: 'operator', action: 'DELETE /v1/connectors/{id}', params: { id: 'qn-dvcqg' } },
    });
    // Seen at once by the instance that answered (no wait for its follower).
    expect((await audit('?limit=1'))[0]!.id).toBe(deleted.entry.id);
  });

  it('is read by every instance on the same topics', async () => {
    const second = await startTestHub(testConfig({ LGSP_TOPIC_PREFIX: prefix }));
    try {
      const here = await audit();
      const there = await waitFor('the second hub to read the audit trail', async () => {
        const res = await as(TEST_ADMIN_TOKEN, second.url, '/v1/audit');
        const { entries } = (await res.json()) as { entries: AuditEntry[] };
        return entries.length >= here.length && entries;
      });
      expect(there.slice(0, here.length).map((e) => e.id)).toEqual(here.map((e) => e.id));
      expect((await asOperator(second.url, '/v1/audit?operator=admin&action=bootstrap')).status).toBe(200);
    } finally {
      await second.close();
    }
  });
});

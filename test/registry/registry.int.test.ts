import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HubConfig } from '../../src/config/config.ts';
import type { Hub } from '../../src/hub.ts';
import { SecretBox } from '../../src/secrets/secret-box.ts';
import { asOperator, importDemoAgencies, registerConnector, startTestHub, testConfig, TEST_SECRETS_KEY } from '../helpers/hub.ts';
import { readTopic } from '../helpers/kafka.ts';
import { documentSent, post } from '../helpers/messages.ts';
import { waitFor } from '../helpers/wait-for.ts';

type Problem = { type: string; errors?: { path: string; message: string }[] };
const problemPaths = async (res: Response) => ((await res.json()) as Problem).errors?.map((e) => e.path) ?? [];

describe('the registry API', () => {
  let config: HubConfig;
  let hub: Hub;
  beforeAll(async () => {
    config = testConfig();
    hub = await startTestHub(config);
    await importDemoAgencies(hub.url);
  });
  afterAll(() => hub.close());

  it('imports agencies from JSON and CSV and answers the tree, parents derived from the codes', async () => {
    const csv =
      'code,name,level,parent\r\n000.02.09.H49,"Ủy ban nhân dân xã Minh Châu, huyện Vân Đồn",commune,\r\n000.00.20.H49,Sở Nội vụ tỉnh Quảng Ninh,unit,\r\n';
    const res = await asOperator(hub.url, '/v1/agencies:import', { body: csv, contentType: 'text/csv' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ imported: 2 });
    const commune = (await (await asOperator(hub.url, '/v1/agencies/000.02.09.H49')).json()) as { parent: string; name: string };
    expect(commune).toMatchObject({ parent: '000.00.09.H49', name: 'Ủy ban nhân dân xã Minh Châu, huyện Vân Đồn' });
    const district = (await (await asOperator(hub.url, '/v1/agencies/000.00.09.H49')).json()) as { children: string[] };
    expect(district.children).toEqual(expect.arrayContaining(['000.01.09.H49', '000.02.09.H49']));
    const post2025 = (await (await asOperator(hub.url, '/v1/agencies/000.12.05.H49')).json()) as { parent: string };
    expect(post2025.parent).toBe('000.00.00.H49');
  });

  it('refuses bad agency codes and broken trees with field-level errors, importing nothing', async () => {
    const bad = [
      { code: '000.00.21.H49', name: 'Sở Xây dựng', level: 'unit' },
      { code: '00.00.21.H49', name: 'Sai mã', level: 'unit' },
    ];
    const res = await asOperator(hub.url, '/v1/agencies:import', { body: bad });
    expect(res.status).toBe(422);
    expect(await problemPaths(res)).toContain('/1/code');
    expect((await asOperator(hub.url, '/v1/agencies/000.00.21.H49')).status).toBe(404);

    const orphan = await asOperator(hub.url, '/v1/agencies/001.00.15.H49', { method: 'PUT', body: { name: 'Đơn vị không xác định cha', level: 'unit' } });
    expect(orphan.status).toBe(422);
    expect(await problemPaths(orphan)).toContain('/parent');
  });

  it('registers a connector, shows its token once, and the token sends messages', async () => {
    const res = await asOperator(hub.url, '/v1/connectors', {
      body: {
        id: 'qn-stp-mot-cua',
        agency: '000.00.15.H49',
        kind: 'webhook',
        endpoint: 'http://127.0.0.1:9/events',
        subscriptions: [{ type: 'vn.gov.document.sent' }],
      },
    });
    expect(res.status).toBe(201);
    const { connector, token } = (await res.json()) as { connector: Record<string, unknown>; token: string };
    expect(token).toMatch(/^qn-stp-mot-cua\./);
    expect(connector).toMatchObject({ id: 'qn-stp-mot-cua', delivery: { timeoutMs: 10_000, retrySchedule: ['5s', '1m', '10m'] } });
    const shown = JSON.stringify(await (await asOperator(hub.url, '/v1/connectors')).json());
    expect(shown).toContain('qn-stp-mot-cua');
    expect(shown).not.toMatch(/secret|signingKey|token/i);
    expect((await post(hub.url, documentSent(), { token })).status).toBe(202);
    expect((await asOperator(hub.url, '/v1/connectors', { body: { id: 'qn-stp-mot-cua', agency: '000.00.15.H49', kind: 'webhook' } })).status).toBe(409);
  });

  it.each([
    { name: 'an unknown kind', manifest: { id: 'x-1', agency: '000.00.15.H49', kind: 'fax' }, path: '/kind' },
    { name: 'a bad id', manifest: { id: 'Bad Id', agency: '000.00.15.H49', kind: 'webhook' }, path: '/id' },
    { name: 'an agency not in the directory', manifest: { id: 'x-2', agency: '000.00.77.H49', kind: 'webhook' }, path: '/agency' },
    {
      name: 'settings the kind refuses',
      manifest: { id: 'x-3', agency: '000.00.00.H49', kind: 'dvcqg', settings: { adapterUrl: 'not a url' } },
      path: '/settings/adapterUrl',
    },
    {
      name: 'an unknown subscribed type',
      manifest: { id: 'x-4', agency: '000.00.15.H49', kind: 'webhook', subscriptions: [{ type: 'vn.gov.fax.sent' }] },
      path: '/subscriptions/0/type',
    },
  ])('refuses a manifest with $name at $path, registering nothing', async ({ manifest, path }) => {
    const validated = await asOperator(hub.url, '/v1/connectors:validate', { body: manifest });
    expect(validated.status).toBe(422);
    expect(await problemPaths(validated)).toContain(path);
    const res = await asOperator(hub.url, '/v1/connectors', { body: manifest });
    expect(res.status).toBe(422);
    expect(await problemPaths(res)).toContain(path);
    expect((await asOperator(hub.url, `/v1/connectors/${manifest.id}`)).status).toBe(404);
  });

  it('never shows a secret setting back', async () => {
    await registerConnector(hub.url, {
      id: 'qn-dvcqg',
      agency: '000.00.00.H49',
      kind: 'dvcqg',
      settings: { adapterUrl: 'http://127.0.0.1:9/', username: 'qn', password: 'mat-khau-bi-mat', dstcode: 'H49', madonvi: 'H49' },
    });
    const shown = (await (await asOperator(hub.url, '/v1/connectors/qn-dvcqg')).json()) as { settings: Record<string, string> };
    expect(shown.settings).toMatchObject({ username: 'qn', password: '(hidden)' });
    expect(JSON.stringify(await (await asOperator(hub.url, '/v1/connectors')).json())).not.toContain('mat-khau-bi-mat');
    const { createdAt: _c, updatedAt: _u, ...manifest } = shown as unknown as Record<string, unknown>;
    const put = await asOperator(hub.url, '/v1/connectors/qn-dvcqg', { method: 'PUT', body: { ...manifest, description: 'Cổng DVC quốc gia' } });
    expect(put.status).toBe(200);
    expect(((await put.json()) as { settings: Record<string, string> }).settings.password).toBe('(hidden)');
    const stored = (await readTopic(hub.topics.registry)).filter((r) => r.key === 'connector/qn-dvcqg').pop()!;
    const record = JSON.parse(stored.value!).connector;
    expect(record.manifest).toMatchObject({ description: 'Cổng DVC quốc gia', settings: { username: 'qn' } });
    expect(stored.value).not.toContain('mat-khau-bi-mat'); // sealed at rest (secrets-at-rest.int.test.ts)
    const box = new SecretBox({ current: Buffer.from(TEST_SECRETS_KEY, 'base64'), old: [] });
    expect(box.open(record.sealed.settings.password, { record: 'connector/qn-dvcqg', field: 'settings.password' })).toBe('mat-khau-bi-mat');
  });

  it('validates a good manifest without registering it', async () => {
    const res = await asOperator(hub.url, '/v1/connectors:validate', { body: { id: 'qn-dry-run', agency: '000.00.16.H49', kind: 'webhook' } });
    expect(res.status).toBe(200);
    expect((await asOperator(hub.url, '/v1/connectors/qn-dry-run')).status).toBe(404);
  });

  it('rotates a token without overlap (the old one stops working) and deletes a connector (its token stops working)', async () => {
    const old = await registerConnector(hub.url, { id: 'qn-syt-rotate', agency: '000.00.16.H49', kind: 'webhook' });
    const rotated = await asOperator(hub.url, '/v1/connectors/qn-syt-rotate:rotate?overlap=0s', { method: 'POST' });
    const { token } = (await rotated.json()) as { token: string };
    const event = documentSent({ source: 'urn:lgsp:agency:000.00.16.H49' });
    expect((await post(hub.url, event, { token: old })).status).toBe(401);
    expect((await post(hub.url, event, { token })).status).toBe(202);
    expect((await asOperator(hub.url, '/v1/connectors/qn-syt-rotate', { method: 'DELETE' })).status).toBe(204);
    expect((await post(hub.url, documentSent({ source: 'urn:lgsp:agency:000.00.16.H49' }), { token })).status).toBe(401);
  });

  it('keeps operator routes for operators', async () => {
    const res = await fetch(`${hub.url}/v1/connectors`);
    expect(res.status).toBe(401);
    expect((await fetch(`${hub.url}/v1/agencies`, { headers: { authorization: 'Bearer not-the-operator-token' } })).status).toBe(401);
  });

  it('is read back from Kafka by a second instance within a second, and after a restart', async () => {
    const second = await startTestHub(config);
    try {
      const token = await registerConnector(hub.url, { id: 'qn-live', agency: '000.00.15.H49', kind: 'webhook' });
      const started = Date.now();
      await waitFor(
        'the second instance to know the new connector',
        async () => (await asOperator(second.url, '/v1/connectors/qn-live')).status === 200,
        5_000,
      );
      expect(Date.now() - started).toBeLessThan(1_000);
      expect((await post(second.url, documentSent(), { token })).status).toBe(202);
    } finally {
      await second.close();
    }
    await hub.close();
    hub = await startTestHub(config);
    const agencies = (await (await asOperator(hub.url, '/v1/agencies')).json()) as { agencies: unknown[] };
    expect(agencies.agencies.length).toBeGreaterThanOrEqual(14);
    expect((await asOperator(hub.url, '/v1/connectors/qn-stp-mot-cua')).status).toBe(200);
  });
});

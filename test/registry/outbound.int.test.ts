/**
 * The outbound policy at registration, against a real hub: a connector whose endpoint or URL
 * setting is a link-local or cloud-metadata address is refused with 422 at the field, unless
 * LGSP_OUTBOUND_ALLOW lists it; agency systems on private networks register as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub.ts';
import { asOperator, importDemoAgencies, startTestHub, testConfig } from '../helpers/hub.ts';

const METADATA = 'http://169.254.169.254/latest/meta-data';
const webhook = (id: string, endpoint: string) => ({
  id,
  agency: '000.00.15.H49',
  kind: 'webhook',
  endpoint,
  subscriptions: [{ type: 'vn.gov.document.sent' }],
});
const portal = (id: string, adapterUrl: string) => ({
  id,
  agency: '000.00.00.H49',
  kind: 'dvcqg',
  settings: { adapterUrl, username: 'qn', password: 'mat-khau-bi-mat', dstcode: 'H49', madonvi: '000.00.00.H49' },
});

async function refusal(res: Response): Promise<{ status: number; type: string; errors: { path: string; message: string }[] }> {
  return { status: res.status, ...((await res.json()) as { type: string; errors: { path: string; message: string }[] }) };
}

describe('outbound addresses at registration', () => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await startTestHub();
    await importDemoAgencies(hub.url);
  });
  afterAll(() => hub?.close());

  it('refuses a cloud-metadata endpoint with 422 at /endpoint, registering and validating alike', async () => {
    for (const path of ['/v1/connectors', '/v1/connectors:validate']) {
      expect(await refusal(await asOperator(hub.url, path, { body: webhook('metadata-probe', METADATA) }))).toEqual({
        status: 422,
        type: 'https://lgsp-hub.dev/problems/validation-failed',
        title: expect.any(String),
        detail: expect.any(String),
        instance: expect.any(String),
        errors: [{ path: '/endpoint', message: expect.stringMatching(/^169\.254\.169\.254 is a cloud metadata service.*LGSP_OUTBOUND_ALLOW/) }],
      });
    }
    expect((await asOperator(hub.url, '/v1/connectors/metadata-probe')).status).toBe(404);
  });

  it("refuses a kind's URL settings too (the portal's base URL), at their pointer", async () => {
    const res = await asOperator(hub.url, '/v1/connectors', { body: portal('portal-probe', 'http://[fe80::1]:8080/') });
    const { status, errors } = await refusal(res);
    expect(status).toBe(422);
    expect(errors).toEqual([{ path: '/settings/adapterUrl', message: expect.stringContaining('link-local') }]);
  });

  it('registers agency systems on private networks, loopback, and names that do not resolve yet', async () => {
    for (const [id, endpoint] of [
      ['private-10', 'http://10.20.30.40:8080/events'],
      ['private-192', 'https://192.168.1.10/events'],
      ['loopback-name', 'http://localhost:9/events'],
      ['not-yet-in-dns', 'https://eoffice.not-yet-registered.invalid/events'],
    ] as const) {
      const res = await asOperator(hub.url, '/v1/connectors', { body: webhook(id, endpoint) });
      expect(res.status, `${endpoint}: ${await res.clone().text()}`).toBe(201);
    }
  });
});

describe('LGSP_OUTBOUND_ALLOW', () => {
  let hub: Hub;
  beforeAll(async () => {
    hub = await startTestHub(testConfig({ LGSP_OUTBOUND_ALLOW: '169.254.169.254' }));
    await importDemoAgencies(hub.url);
  });
  afterAll(() => hub?.close());

  it('lets a listed address register, and no other', async () => {
    expect((await asOperator(hub.url, '/v1/connectors', { body: webhook('allowed-metadata', METADATA) })).status).toBe(201);
    const other = await asOperator(hub.url, '/v1/connectors', { body: webhook('other-link-local', 'http://169.254.10.1/') });
    expect((await refusal(other)).errors).toEqual([{ path: '/endpoint', message: expect.stringContaining('link-local') }]);
  });
});

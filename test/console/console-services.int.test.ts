/**
 * The console's data-sharing services section in a real headless Chromium (docs/console.md,
 * docs/services.md): an operator sees the catalogue, grants a consumer through the form, records a
 * refusal (one without its reason is refused with the failing field), revokes the grant, and sees
 * each change in the hub and its audit trail; a viewer's grant is refused with the hub's
 * explanation. The screenshot is kept in `test-artifacts/console-services.png`.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub.ts';
import { asOperator, importDemoAgencies, registerConnector, startTestHub, TEST_ADMIN_TOKEN } from '../helpers/hub.ts';
import { createOperator } from '../helpers/operators.ts';
import { consolePage, launchChromium, screenshot, signIn } from './chromium.ts';

const SERVICE = {
  id: 'population-lookup',
  provider: 'qn-dancu-gateway',
  endpoint: 'http://127.0.0.1:9/dan-cu',
  title: 'Tra cứu thông tin công dân',
  version: '1.0.0',
  classification: 'personal',
};
const REASON = 'Khoản 2 Điều 17 Nghị định 13/2023/NĐ-CP';

describe('the services section (/console) in headless Chromium', () => {
  let hub: Hub;
  let viewerToken: string;
  let browser: Browser | undefined;
  beforeAll(async () => {
    hub = await startTestHub();
    await importDemoAgencies(hub.url);
    await registerConnector(hub.url, { id: SERVICE.provider, agency: '000.00.00.H49', kind: 'webhook' });
    const res = await asOperator(hub.url, '/v1/services', { body: SERVICE });
    if (res.status !== 201) throw new Error(`registering the service: ${res.status} ${await res.text()}`);
    viewerToken = await createOperator(hub.url, 'thanh-tra', 'viewer');
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  const row = (page: Page) => page.locator(`#services tr[data-service="${SERVICE.id}"]`);
  const hubGrants = async () =>
    (await (await asOperator(hub.url, `/v1/services/${SERVICE.id}/grants`)).json()) as {
      grants: { id: string; consumer: string }[];
      refusals: { reason: string }[];
    };
  const status = (page: Page, text: string) => page.locator('#status').filter({ hasText: text }).waitFor();

  it('grants, refuses in writing and revokes through the forms; a viewer is refused', async () => {
    const chrome = (browser = await launchChromium());
    // The refusal without a reason (422) and the viewer's grant (403) are expected answers.
    const { page, pageErrors } = await consolePage(chrome, 'console-services', [422, 403]);
    await page.goto(`${hub.url}/console`);
    await signIn(page, TEST_ADMIN_TOKEN);

    await row(page).waitFor();
    expect(await row(page).locator('td').allTextContents()).toEqual([SERVICE.id, SERVICE.title, SERVICE.provider, 'personal', '1.0.0', '0']);
    await row(page).locator('button').click();
    await page.locator('#service-detail').waitFor();
    expect(await page.textContent('#service-id')).toBe(SERVICE.id);
    expect(await page.textContent('#service-grants tbody')).toBe('No grant: every call is refused.');

    // A grant to every connector of a commune, with a quota and a Vietnamese note.
    await page.fill('#grant-consumer', '000.02.05.H49');
    await page.fill('#grant-purpose', 'identity-check');
    await page.fill('#grant-quota', '30');
    await page.fill('#grant-note', 'Xác minh người nộp hồ sơ');
    await page.click('#grant-submit');
    await status(page, `Granted ${SERVICE.id} to 000.02.05.H49 for identity-check.`);
    expect(await row(page).locator('td').last().textContent()).toBe('1');
    const granted = (await hubGrants()).grants;
    expect(granted).toMatchObject([{ consumer: '000.02.05.H49', purpose: 'identity-check', quota: 30, note: 'Xác minh người nộp hồ sơ', grantedBy: 'admin' }]);
    const grantRow = page.locator(`#service-grants tr[data-grant="${granted[0]!.id}"]`);
    expect((await grantRow.locator('td').allTextContents()).slice(0, 4)).toEqual(['000.02.05.H49', 'identity-check', 'never', '30']);

    // A refusal needs its reason: the hub's answer names the field; with it, it is on record.
    await page.fill('#refuse-consumer', 'qn-honggai-motcua');
    await page.click('#refuse-submit');
    await page.locator('#service-problem-errors li code').filter({ hasText: '/reason' }).waitFor();
    await page.fill('#refuse-purpose', 'civil-status');
    await page.fill('#refuse-reason', REASON);
    await page.fill('#refuse-consumer', '000.02.05.H49');
    await page.click('#refuse-submit');
    await status(page, 'Recorded the refusal to 000.02.05.H49.');
    expect(await page.isHidden('#service-problem')).toBe(true);
    expect((await page.locator('#service-refusals tbody td').allTextContents()).filter((t, i) => i !== 2)).toEqual(['000.02.05.H49', 'civil-status', REASON]);
    expect((await hubGrants()).refusals.map((r) => r.reason)).toEqual([REASON]);
    await screenshot(page, 'console-services');

    // Revoked: gone from the page and the hub; every change is in the audit trail.
    await grantRow.locator('button.revoke').click();
    await status(page, 'Revoked the grant to 000.02.05.H49.');
    expect(await page.textContent('#service-grants tbody')).toBe('No grant: every call is refused.');
    expect((await hubGrants()).grants).toEqual([]);
    for (const action of ['POST /v1/services/{id}/grants', 'POST /v1/services/{id}/grants:refuse', 'DELETE /v1/services/{id}/grants/{grantId}']) {
      await page.locator('#audit tbody tr').filter({ hasText: action }).first().waitFor();
    }

    // A viewer reads the grants, but the hub refuses its grant; the page says why.
    await page.click('#sign-out');
    await signIn(page, viewerToken);
    await row(page).locator('button').click();
    await page.fill('#grant-consumer', '000.02.05.H49');
    await page.fill('#grant-purpose', 'identity-check');
    await page.click('#grant-submit');
    await page.locator('#service-problem-detail').filter({ hasText: 'needs the role operator' }).waitFor();
    expect((await hubGrants()).grants).toEqual([]);

    expect(pageErrors).toEqual([]);
  }, 90_000);
});

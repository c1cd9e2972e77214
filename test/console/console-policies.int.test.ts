/**
 * The console's sending-rights editor in a real headless Chromium (docs/console.md, docs/policies.md):
 * an operator sees every type's rule, sets one through the editor (a refused rule shows its failing
 * fields and changes nothing), sees it marked as the operator's and in the audit trail, and puts the
 * default back; a viewer's save is refused with the hub's explanation. The screenshot is kept in
 * `test-artifacts/console-policies.png`.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub.ts';
import { asOperator, startTestHub, TEST_ADMIN_TOKEN } from '../helpers/hub.ts';
import { createOperator } from '../helpers/operators.ts';
import { consolePage, launchChromium, screenshot, signIn } from './chromium.ts';

const TYPE = 'vn.gov.dossier.status';
const DEFAULT_RULE = { from: { roles: ['one-stop'] }, to: ['national', 'dossier'] };
const RULE = { from: { connectors: ['qn-halong-eoffice'] }, to: ['national'], note: 'Bộ phận một cửa chưa vận hành: văn phòng điện tử gửi thay' };

describe('the sending-rights editor (/console) in headless Chromium', () => {
  let hub: Hub;
  let viewerToken: string;
  let browser: Browser | undefined;
  beforeAll(async () => {
    hub = await startTestHub();
    viewerToken = await createOperator(hub.url, 'thanh-tra', 'viewer');
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  const row = (page: Page) => page.locator(`#policies tr[data-type="${TYPE}"]`);
  const save = async (page: Page, text: string) => {
    await page.fill('#policy-rule', text);
    await page.click('#policy-save');
  };

  it("sets a type's rule, shows a refused one's fields, audits both changes and puts the default back", async () => {
    const chrome = (browser = await launchChromium());
    // The refused rule (422) and the viewer's save (403) are expected answers.
    const { page, pageErrors } = await consolePage(chrome, 'console-policies', [422, 403]);
    await page.goto(`${hub.url}/console`);
    await signIn(page, TEST_ADMIN_TOKEN);

    // Every known type with its effective rule; this one is the default of its family.
    const types = ((await (await asOperator(hub.url, '/v1/policies')).json()) as { policies: { type: string }[] }).policies.map((p) => p.type);
    await row(page).waitFor();
    expect(await page.locator('#policies tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-type')))).toEqual(types);
    expect(await row(page).locator('td').allTextContents()).toEqual([
      TYPE,
      'default',
      'roles one-stop',
      'national, dossier',
      "dossier messages: only from one-stop connectors, to the portal or the dossier's agencies",
    ]);

    // Choosing it opens the editor on its rule; a default has nothing to go back to.
    await row(page).locator('button').click();
    await page.locator('#policy-editor').waitFor();
    expect(await page.textContent('#policy-type')).toBe(TYPE);
    expect(JSON.parse(await page.inputValue('#policy-rule'))).toEqual(DEFAULT_RULE);
    expect(await page.isDisabled('#policy-reset')).toBe(true);

    // Not JSON: said in the page, nothing sent. Not a rule: the hub's detail and each failing field.
    await save(page, '{ "from": {}, "to": [ ');
    await page.locator('#policy-problem-detail').filter({ hasText: 'not JSON' }).waitFor();
    await save(page, JSON.stringify({ from: { roles: ['mayor'] }, to: ['directory'] }));
    await page.locator('#policy-problem-detail').filter({ hasText: 'problem(s) in the body' }).waitFor();
    expect(await page.locator('#policy-problem-errors li code').allTextContents()).toContain('/from/roles/0');
    expect(await row(page).locator('td').nth(1).textContent()).toBe('default');

    // A rule: the operator's now, with who set it and its Vietnamese note; the hub holds it.
    await save(page, JSON.stringify(RULE, null, 2));
    await page
      .locator('#status')
      .filter({ hasText: `${TYPE} now follows your rule.` })
      .waitFor();
    expect(await page.isHidden('#policy-problem')).toBe(true);
    expect(await row(page).getAttribute('class')).toContain('origin-operator');
    const cells = await row(page).locator('td').allTextContents();
    expect(cells[1]).toMatch(/^operator's: admin, \d{4}-\d\d-\d\d /);
    expect(cells.slice(2)).toEqual(['connectors qn-halong-eoffice', 'national', RULE.note]);
    expect(await page.textContent('#policy-origin')).toMatch(/^Set by admin at /);
    expect(await page.isEnabled('#policy-reset')).toBe(true);
    expect(await (await asOperator(hub.url, `/v1/policies/${TYPE}`)).json()).toMatchObject({ origin: 'operator', rule: RULE, updatedBy: 'admin' });

    // The change is in the audit trail under the operator's name.
    const put = page
      .locator('#audit tbody tr')
      .filter({ hasText: 'PUT /v1/policies/{type}' })
      .filter({ has: page.locator('td:last-child', { hasText: /^200$/ }) });
    await put.waitFor();
    expect((await put.locator('td').allTextContents()).slice(1)).toEqual(['admin', 'admin', 'PUT /v1/policies/{type}', `type=${TYPE} to=national`, '200']);
    await screenshot(page, 'console-policies');

    // Back to default: the family's rule again, in the table, the editor and the hub; audited.
    await page.click('#policy-reset');
    await page
      .locator('#status')
      .filter({ hasText: `${TYPE} follows its default rule again.` })
      .waitFor();
    expect(await row(page).locator('td').nth(1).textContent()).toBe('default');
    expect(JSON.parse(await page.inputValue('#policy-rule'))).toEqual(DEFAULT_RULE);
    expect(await (await asOperator(hub.url, `/v1/policies/${TYPE}`)).json()).toMatchObject({ origin: 'default', rule: DEFAULT_RULE });
    await page.locator('#audit tbody tr').filter({ hasText: 'DELETE /v1/policies/{type}' }).waitFor();

    // A viewer reads the rules, but the hub refuses its save; the page shows why, nothing changes.
    await page.click('#sign-out');
    await signIn(page, viewerToken);
    await row(page).locator('button').click();
    await save(page, JSON.stringify(RULE));
    await page.locator('#policy-problem-detail').filter({ hasText: 'needs the role operator' }).waitFor();
    expect(await (await asOperator(hub.url, `/v1/policies/${TYPE}`)).json()).toMatchObject({ origin: 'default' });

    expect(pageErrors).toEqual([]);
  }, 90_000);
});

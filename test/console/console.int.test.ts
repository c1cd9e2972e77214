/**
 * The dead-letter workbench in a real headless Chromium (Debian's `chromium`, driven by
 * playwright-core): an operator signs in, sees the connector with its breaker state and both dead
 * letters, reads why one failed, replays it from a selection and sees it marked replayed while the
 * delivery reaches the agency's system. The screenshot is kept in `test-artifacts/console.png`.
 */
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { receivedIds, useDeliveryHub } from '../helpers/agencies.ts';
import { asOperator, TEST_ADMIN_TOKEN } from '../helpers/hub.ts';
import { documentSent, post } from '../helpers/messages.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { consolePage, launchChromium, screenshot, signIn } from './chromium.ts';

interface Letter {
  id: string;
  reason: string;
  message?: { id: string };
}

describe('the dead-letter workbench (/console) in headless Chromium', () => {
  const fixture = useDeliveryHub({ 'qn-hong-gai': '000.02.05.H49' });
  let browser: Browser | undefined;
  afterAll(() => browser?.close());

  /** Sends a document the commune refuses with 422 and `complaint`; returns the message and its dead letter. */
  async function refusedDocument(complaint: string): Promise<{ messageId: string; letter: Letter }> {
    const { hub, token, systems } = fixture;
    const commune = systems['qn-hong-gai']!;
    commune.sim.faults.set({ kind: 'reject', status: 422, body: { error: complaint }, times: 1 });
    const message = documentSent({ to: commune.agency });
    expect((await post(hub.url, message, { token })).status).toBe(202);
    const letter = await waitFor(`the dead letter of ${String(message.id)}`, async () => {
      const { deadLetters } = (await (await asOperator(hub.url, `/v1/dead-letters?connector=${commune.id}`)).json()) as { deadLetters: Letter[] };
      return deadLetters.find((l) => l.message?.id === message.id);
    });
    return { messageId: message.id as string, letter };
  }

  it('shows connectors and dead letters, explains one, and replays a selection', async () => {
    // Launched here, not in beforeAll: a missing Chromium fails this test rather than skipping it.
    const chrome = (browser = await launchChromium());
    const first = await refusedDocument('Thiếu số ký hiệu văn bản');
    const second = await refusedDocument('Sai mã định danh cơ quan nhận');
    const { hub, systems } = fixture;
    const commune = systems['qn-hong-gai']!;

    // The refused token below is an expected 401; anything else (a CSP violation, a script error) is not.
    const { page, pageErrors } = await consolePage(chrome, 'console');

    // The page loads without a token (it holds no data) and is locked down by its CSP.
    const loaded = await page.goto(`${hub.url}/console`);
    expect(loaded?.status()).toBe(200);
    expect(loaded?.headers()['content-type']).toBe('text/html; charset=utf-8');
    expect(loaded?.headers()['content-security-policy']).toContain("script-src 'self'");

    // A wrong token is refused and the operator stays at the sign-in form.
    await page.fill('#token', 'not-the-operator-token');
    await page.click('#token-form button[type=submit]');
    await page.locator('#sign-in-error').filter({ hasText: 'refused' }).waitFor();
    expect(await page.isHidden('#workbench')).toBe(true);

    await signIn(page, TEST_ADMIN_TOKEN);

    // The connector with its breaker state (closed: a 4xx never trips it) and its two dead letters.
    const connector = page.locator('#connectors tr[data-connector="qn-hong-gai"]');
    await connector.waitFor();
    expect(await connector.locator('td').allTextContents()).toEqual(['qn-hong-gai', '000.02.05.H49', 'webhook', 'closed', '2']);
    const firstRow = page.locator(`#letters tr[data-id="${first.letter.id}"]`);
    const secondRow = page.locator(`#letters tr[data-id="${second.letter.id}"]`);
    await firstRow.waitFor();
    await secondRow.waitFor();
    expect(await page.locator('#letters tbody tr').count()).toBe(2);
    expect(await firstRow.locator('td').nth(3).textContent()).toBe('deliver');
    expect(await firstRow.locator('td').nth(4).textContent()).toBe('422');
    expect(await firstRow.locator('td').nth(6).textContent()).toBe(first.messageId);

    // The text filter narrows the list, client-side.
    await page.fill('#filter-text', second.messageId);
    await waitFor('the text filter', async () => (await page.locator('#letters tbody tr').count()) === 1);
    await page.fill('#filter-text', '');
    await waitFor('the filter cleared', async () => (await page.locator('#letters tbody tr').count()) === 2);

    // Why it failed: the reason, and the commune's answer in Vietnamese.
    await firstRow.locator('td.reason').click();
    await page.locator('#detail').waitFor();
    expect(await page.textContent('#detail-id')).toBe(first.letter.id);
    expect(await page.textContent('#detail-reason')).toBe(first.letter.reason);
    expect(await page.textContent('#detail-response')).toContain('Thiếu số ký hiệu văn bản');
    await page.click('#detail-original-box summary');
    expect(await page.textContent('#detail-original')).toContain('Sở Tư pháp tỉnh Quảng Ninh');

    // Select the first and replay the selection: marked replayed, delivered; the second stays.
    await firstRow.locator('input[type=checkbox]').check();
    expect(await page.textContent('#replay-selected')).toBe('Replay selected (1)');
    await page.click('#replay-selected');
    await page
      .locator('#status')
      .filter({ hasText: `Replayed 1: ${first.letter.id}.` })
      .waitFor();
    await page.locator(`#letters tr.replayed[data-id="${first.letter.id}"]`).waitFor();
    expect(await firstRow.locator('td.replayed-cell').textContent()).toMatch(/^replayed /);
    expect(await firstRow.locator('button.replay').isDisabled()).toBe(true);
    expect(await secondRow.locator('td.replayed-cell').textContent()).toBe('—');
    await waitFor('the replayed delivery at the commune', () => receivedIds(commune).includes(first.messageId));
    expect(receivedIds(commune)).not.toContain(second.messageId);
    expect(await connector.locator('td').nth(4).textContent()).toBe('1');

    // The replay is in the audit trail under the operator's name (the bootstrap admin here).
    const replayed = page.locator('#audit tbody tr').filter({ hasText: 'POST /v1/dead-letters/{id}:replay' }).first();
    await replayed.waitFor();
    expect((await replayed.locator('td').allTextContents()).slice(1)).toEqual([
      'admin',
      'admin',
      'POST /v1/dead-letters/{id}:replay',
      `id=${first.letter.id}`,
      '200',
    ]);

    // The trace of the replayed message, from the detail pane.
    await page.click('#detail-trace');
    await page.locator('#detail-timeline li').filter({ hasText: 'replayed' }).waitFor();

    await screenshot(page, 'console');

    // The per-row button replays the other one; the token survives a reload (session storage).
    await page.reload();
    await secondRow.locator('button.replay').click();
    await page.locator(`#letters tr.replayed[data-id="${second.letter.id}"]`).waitFor();
    await waitFor('the second replayed delivery at the commune', () => receivedIds(commune).includes(second.messageId));

    expect(pageErrors).toEqual([]);
  }, 90_000);
});

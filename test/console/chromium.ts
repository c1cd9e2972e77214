/**
 * The console's browser tests drive Debian's Chromium (`/usr/bin/chromium`) through
 * playwright-core; this is how they launch it, open a page that records its script errors and keeps
 * a screenshot when the test fails, and sign in.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { onTestFailed } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
/** Without the background-networking flags Chromium keeps dialling Google, which this network refuses. */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Screenshots (git-ignored). */
export const ARTIFACTS = resolve('test-artifacts');

/** Never skipped: a machine without Chromium fails the test with the fix. Call it inside the test, not in beforeAll. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the console test needs Debian's Chromium. Run \`apt-get install -y chromium\` (as root), then run the tests again.`,
    );
  }
  // playwright-core gives every launch a fresh, empty --user-data-dir of its own and removes it on close.
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}

/** Saves a full-page screenshot as `test-artifacts/<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: resolve(ARTIFACTS, `${name}.png`), fullPage: true });
}

/**
 * A page whose script errors land in `pageErrors` (a refused token's 401 and the `expected`
 * statuses are not errors), and whose screenshot is kept as `<name>-failed.png` if the test fails.
 */
export async function consolePage(browser: Browser, name: string, expected: readonly number[] = []): Promise<{ page: Page; pageErrors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  page.setDefaultTimeout(15_000);
  const pageErrors: string[] = [];
  const allowed = [401, ...expected].map((status) => `status of ${status}`);
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !allowed.some((a) => msg.text().includes(a))) pageErrors.push(`${msg.text()} (${msg.location().url})`);
  });
  onTestFailed(async () => {
    await screenshot(page, `${name}-failed`).catch(() => undefined);
  });
  return { page, pageErrors };
}

/** Signs in at the console's form with `token` and waits for the workbench. */
export async function signIn(page: Page, token: string): Promise<void> {
  await page.fill('#token', token);
  await page.click('#token-form button[type=submit]');
  await page.locator('#workbench').waitFor();
}

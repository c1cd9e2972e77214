/**
 * The plain-Node v2 verifier quoted in docs/webhooks.md, loaded from the doc itself: what a
 * receiver following the docs would run (node:crypto only, none of the kit), so tests check the
 * hub's signatures against it rather than against our own verifier.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export type DocsVerifier = (headers: Record<string, string | string[] | undefined>, body: Buffer, token: string, now?: number) => boolean;

/** Writes the doc's `verify-webhook.mjs` block into `dir` and imports it; throws when the doc has none. */
export async function docsVerifier(dir: string): Promise<DocsVerifier> {
  const docs = await readFile('docs/webhooks.md', 'utf8');
  const code = /^```js title="verify-webhook\.mjs"\n([\s\S]*?)^```$/m.exec(docs)?.[1];
  if (code === undefined) throw new Error('docs/webhooks.md has no verify-webhook.mjs block');
  await writeFile(join(dir, 'verify-webhook.mjs'), code);
  return ((await import(pathToFileURL(join(dir, 'verify-webhook.mjs')).href)) as { verifyWebhook: DocsVerifier }).verifyWebhook;
}

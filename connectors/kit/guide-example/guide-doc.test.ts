/**
 * docs/connectors.md quotes the guide's kind byte for byte: every code block titled with a file
 * equals that file, and every file of the kind is quoted (so the guide's code is the tested code).
 */
import { readdir, readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';

const ROOT = new URL('../../../', import.meta.url);
const FOLDER = 'connectors/kit/guide-example/';

it('the code blocks of docs/connectors.md are the files of connectors/kit/guide-example/', async () => {
  const guide = await readFile(new URL('docs/connectors.md', ROOT), 'utf8');
  const blocks = [...guide.matchAll(/^```ts title="([^"]+)"\n([\s\S]*?)^```$/gm)].map(([, path, code]) => ({ path: path!, code: code! }));
  for (const { path, code } of blocks) expect(code, `${path} as quoted in docs/connectors.md`).toBe(await readFile(new URL(path, ROOT), 'utf8'));
  const files = (await readdir(new URL(FOLDER, ROOT))).filter((name) => name !== 'guide-doc.test.ts').map((name) => FOLDER + name);
  expect(blocks.map((b) => b.path).sort()).toEqual(files.sort());
});

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'lgsp-warning-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, 'kafkajs'));
/** Stands for kafkajs's request queue: a module under a `kafkajs` folder that sets a negative timeout. */
const kafkajsLike = join(dir, 'kafkajs', 'request-queue.mjs');
writeFileSync(kafkajsLike, 'export const schedule = () => clearTimeout(setTimeout(() => {}, -1747359280440));\n');

/** The stderr of a Node process that loads the filter, then runs `code` (Node warns once per process). */
function stderrOf(code: string): string {
  const filter = pathToFileURL(join(import.meta.dirname, 'kafkajs-timeout-warning.ts')).href;
  const script = `await import(${JSON.stringify(filter)});\n${code}`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).stderr;
}

describe("kafkajs's negative timeout on Node 24", () => {
  it('is not printed when kafkajs sets it', () => {
    const code = `const { schedule } = await import(${JSON.stringify(pathToFileURL(kafkajsLike).href)}); schedule();`;
    expect(stderrOf(code)).toBe('');
  });

  it('is printed when anything else sets it, as is every other warning', () => {
    expect(stderrOf('clearTimeout(setTimeout(() => {}, -5));')).toMatch(/TimeoutNegativeWarning: -5 is a negative number/);
    expect(stderrOf("process.emitWarning('something else', 'LgspTestWarning');")).toMatch(/LgspTestWarning: something else/);
  });
});

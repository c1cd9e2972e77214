import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

/** What V8 says of its heap growing factor (`--trace-gc-verbose`) in a Node process that runs `code` after setting it the hub's way. */
function factorsOf(nodeArgs: readonly string[]): string[] {
  const module = pathToFileURL(join(import.meta.dirname, 'heap-growing.ts')).href;
  const script = `const { fixHeapGrowing } = await import(${JSON.stringify(module)}); fixHeapGrowing(); const kept = []; for (let i = 0; i < 200_000; i++) kept.push({ i }); globalThis.gc();`;
  const { stdout } = spawnSync(process.execPath, ['--expose-gc', '--trace-gc-verbose', ...nodeArgs, '--input-type=module', '-e', script], { encoding: 'utf8' });
  return [...stdout.matchAll(/\[(?:HeapController|OldGenerationMemoryController)\] factor ([\d.]+)/g)].map((m) => m[1]!);
}

describe('the heap growing factor', () => {
  it('is 2 after the hub sets it at start, at the next major GC already', () => {
    expect(factorsOf([]).at(-1)).toBe('2.0');
  });

  it('stays as Node’s command line sets it', () => {
    expect(factorsOf(['--heap-growing-percent=50']).at(-1)).toBe('1.5');
  });
});

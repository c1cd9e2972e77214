/** The README's configuration table is the users' list of variables: each one `loadConfig` reads must be in it. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('the README configuration table', () => {
  it('names every variable loadConfig reads', () => {
    const code = readFileSync('src/config/config.ts', 'utf8');
    const table = readFileSync('README.md', 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .join('\n');
    const variables = [...code.matchAll(/read\('([A-Z0-9_]+)'/g)].map((m) => m[1]!);
    expect(variables.length).toBeGreaterThan(20);
    expect(variables.filter((name) => !table.includes(`\`${name}\``))).toEqual([]);
  });
});

import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { localSecretsKey } from './local-key.ts';

describe('the local secrets key', () => {
  let dir: string;
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('is made once, readable by its owner only, and read back after', async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'lgsp-key-')), 'data');
    const made = await localSecretsKey(dir);
    expect(made).toMatchObject({ file: join(dir, 'secrets.key'), created: true });
    expect(made.key.length).toBe(32);
    expect((await stat(made.file)).mode & 0o777).toBe(0o600);
    const again = await localSecretsKey(dir);
    expect(again.created).toBe(false);
    expect(again.key.equals(made.key)).toBe(true);
  });

  it('refuses a file that does not hold a key, saying what to do', async () => {
    dir = await mkdtemp(join(tmpdir(), 'lgsp-key-'));
    await writeFile(join(dir, 'secrets.key'), 'not a key\n');
    await expect(localSecretsKey(dir)).rejects.toThrow(/does not hold 32 bytes in base64: delete it/);
  });
});

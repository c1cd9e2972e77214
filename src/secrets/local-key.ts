/**
 * The secrets key of a local development hub (no KAFKA_BROKERS, no LGSP_SECRETS_KEY): kept in
 * `<data dir>/secrets.key` beside the local broker's storage, so a restart reads its own registry
 * back. Made on first use: 32 random bytes in base64, readable by the owner only.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const LOCAL_KEY_FILE = 'secrets.key';

/** Reads `<dataDir>/secrets.key`, or makes it when it does not exist; `created` says which. */
export async function localSecretsKey(dataDir: string): Promise<{ key: Buffer; file: string; created: boolean }> {
  const file = join(dataDir, LOCAL_KEY_FILE);
  let text;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const key = randomBytes(32);
    await mkdir(dataDir, { recursive: true });
    // `wx`: never overwrite a key another process made meanwhile.
    await writeFile(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return { key, file, created: true };
  }
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new Error(`${file} does not hold 32 bytes in base64: delete it to make a new one (the local registry's secrets are then lost).`);
  return { key, file, created: false };
}

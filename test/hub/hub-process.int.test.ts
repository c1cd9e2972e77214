import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { TEST_SECRETS_KEY } from '../helpers/hub.ts';

/** `npm start` (`node src/main.ts`) as a user runs it, for the failures a user meets first. */
function runHubProcess(env: Record<string, string>) {
  const started = Date.now();
  const result = spawnSync(process.execPath, ['src/main.ts'], {
    env: { ...process.env, LOG_LEVEL: 'info', LGSP_SECRETS_KEY: TEST_SECRETS_KEY, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { ...result, seconds: (Date.now() - started) / 1000 };
}

describe('the hub process', () => {
  it('stops within seconds with a clear message when KAFKA_BROKERS does not answer', () => {
    const result = runHubProcess({ KAFKA_BROKERS: '127.0.0.1:1' });
    expect(result.status).toBe(69);
    expect(result.stdout).toContain('Cannot reach Kafka at 127.0.0.1:1 (KAFKA_BROKERS)');
    expect(result.seconds).toBeLessThan(15);
  });

  it('refuses to start on an external cluster without the secrets key, saying how to make one', () => {
    const result = runHubProcess({ KAFKA_BROKERS: '127.0.0.1:1', LGSP_SECRETS_KEY: '' });
    expect(result.status).toBe(78);
    const problems = result.stderr.split('\n').filter((line) => line.startsWith('  '));
    expect(problems).toEqual([
      expect.stringMatching(/^ {2}LGSP_SECRETS_KEY \(or LGSP_SECRETS_KEY_FILE\) is required with KAFKA_BROKERS.*openssl rand -base64 32/),
    ]);
  });

  it('refuses a bad configuration value, naming the variable', () => {
    const result = runHubProcess({ KAFKA_BROKERS: '127.0.0.1:1', PORT: 'eighty' });
    expect(result.status).toBe(78);
    expect(result.stderr).toContain('PORT="eighty": expected a whole number from 0 to 65535');
  });
});

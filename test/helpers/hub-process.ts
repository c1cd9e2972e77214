/**
 * A hub as a separate process (`node src/main.ts`), for tests that kill it.
 * Stopped (SIGKILL if need be) when the test ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { onTestFinished } from 'vitest';
import { freePort } from '../../src/kafka/local-broker.ts';
import { TEST_ADMIN_TOKEN, TEST_SECRETS_KEY } from './hub.ts';
import { testBrokers } from './kafka.ts';
import { waitFor } from './wait-for.ts';

export interface HubProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** SIGKILL: no shutdown hook runs, as in a crash. */
  kill(): Promise<void>;
}

export async function startHubProcess(topicPrefix: string, env: Record<string, string> = {}): Promise<HubProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['src/main.ts'], {
    env: {
      ...process.env,
      KAFKA_BROKERS: testBrokers().join(','),
      PORT: String(port),
      LGSP_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      LGSP_SECRETS_KEY: TEST_SECRETS_KEY,
      LGSP_TOPIC_PREFIX: topicPrefix,
      LGSP_PARTITIONS: '3',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  onTestFinished(kill);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    'the hub process to be ready',
    () =>
      fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      ),
    60_000,
  );
  return { url, child, kill };
}

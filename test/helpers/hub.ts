/**
 * Starts a hub in this process against the test broker, with its own topic prefix so tests
 * never see each other's records; closed when the test (or file, from beforeAll) ends.
 */
import { loadConfig, type HubConfig } from '../../src/config/config.ts';
import { startHub, type Hub, type HubParts } from '../../src/hub.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { testBrokers, uniqueName } from './kafka.ts';
import { testCredentials } from './messages.ts';

export const TEST_ADMIN_TOKEN = 'test-operator-token-0123456789';

export function testConfig(env: Record<string, string> = {}): HubConfig {
  return loadConfig({
    PORT: '0',
    LGSP_TOPIC_PREFIX: `${uniqueName('t')}.`,
    LGSP_PARTITIONS: '3',
    LGSP_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    ...env,
  });
}

export async function startTestHub(config: HubConfig = testConfig(), parts: HubParts = { credentials: testCredentials() }): Promise<Hub> {
  return startHub(config, testBrokers(), createLogger(config), parts);
}

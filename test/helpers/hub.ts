/**
 * Starts a hub in this process against the test broker, with its own topic prefix so tests
 * never see each other's records, and seeds it through the operator API like a real province.
 */
import { readFileSync } from 'node:fs';
import { loadConfig, type HubConfig } from '../../src/config/config.ts';
import { startHub, type Hub } from '../../src/hub.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { testCluster, uniqueName } from './kafka.ts';

export const TEST_ADMIN_TOKEN = 'test-operator-token-0123456789';
/** LGSP_SECRETS_KEY of every test hub (32 bytes, base64). */
export const TEST_SECRETS_KEY = Buffer.alloc(32, 7).toString('base64');
export const DEMO_AGENCIES = readFileSync('directory/demo-province.json', 'utf8');

export function testConfig(env: Record<string, string> = {}): HubConfig {
  return loadConfig({
    PORT: '0',
    LGSP_TOPIC_PREFIX: `${uniqueName('t')}.`,
    LGSP_PARTITIONS: '3',
    LGSP_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    LGSP_SECRETS_KEY: TEST_SECRETS_KEY,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    ...env,
  });
}

export async function startTestHub(config: HubConfig = testConfig()): Promise<Hub> {
  return startHub(config, testCluster(), createLogger(config));
}

/** An operator request with LGSP_ADMIN_TOKEN. */
export function asOperator(url: string, path: string, init: { method?: string; body?: unknown; contentType?: string } = {}): Promise<Response> {
  const { method = init.body === undefined ? 'GET' : 'POST', body, contentType = 'application/json' } = init;
  return fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': contentType }) },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

/** Registers a connector and returns its token (shown once). */
export async function registerConnector(url: string, manifest: Record<string, unknown>): Promise<string> {
  const res = await asOperator(url, '/v1/connectors', { body: manifest });
  if (res.status !== 201) throw new Error(`registering ${String(manifest.id)}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** Loads the demo province's directory (Quảng Ninh) through `POST /v1/agencies:import`. */
export async function importDemoAgencies(url: string): Promise<void> {
  const res = await asOperator(url, '/v1/agencies:import', { body: DEMO_AGENCIES });
  if (res.status !== 200) throw new Error(`importing the demo directory: ${res.status} ${await res.text()}`);
}

/** What `/readyz` says delivery is doing: "consuming", or what it waits for. */
export async function backgroundWork(url: string): Promise<{ delivery: string }> {
  return ((await (await fetch(`${url}/readyz`)).json()) as { work: { delivery: string } }).work;
}

/** Whether delivery has joined its consumer group and consumes. */
export async function consuming(url: string): Promise<boolean> {
  return (await backgroundWork(url)).delivery === 'consuming';
}
